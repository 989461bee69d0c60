// The graphql-http server audits against a running ostinato server:
// `node audit.mjs http://127.0.0.1:8080/graphql`. Every MUST and SHOULD
// must pass: an `error` is a failed MUST, a `warn` a failed SHOULD, and
// either fails the run. A `notice` (a MAY not taken) is only reported.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/graphql';
let failed = 0;
let passed = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
    continue;
  }
  if (result.status === 'notice') {
    console.log(`notice (MAY, not required): ${audit.name}`);
    continue;
  }
  failed += 1;
  console.log(`${result.status.toUpperCase()} ${audit.name}`);
  console.log(`  ${result.reason}`);
  if (result.response) {
    console.log(`  status ${result.response.status}: ${(await result.response.text()).slice(0, 300)}`);
  }
}
console.log(`graphql-http audit: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
