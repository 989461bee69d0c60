// Renders a printable invoice (Invoice.printUrl) in headless Chromium and
// checks what a person reads on it: the school, who is billed, the lines,
// the total and the balance; and that a hostile line description arrives
// as text, not markup. Run by .ci/run against a running server:
//   node check.mjs http://127.0.0.1:18089
import { execFileSync } from "node:child_process";

const base = process.argv[2];
if (!base) throw new Error("usage: node check.mjs <server base URL>");

async function gql(token, query, variables = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

function check(cond, what) {
  if (!cond) throw new Error(`invoice page: ${what}`);
  console.log(`ok - ${what}`);
}

const stamp = Date.now();
const signUp = await gql(
  null,
  `mutation($i: SignUpInput!) { signUp(input: $i) { token userErrors { message } } }`,
  { i: { schoolName: "Allegro & Sons Music School", email: `print-${stamp}@example.org`, password: "correct horse battery",
         firstName: "Ada", lastName: "Admin", timezone: "Europe/London", currency: "GBP" } },
);
const token = signUp.signUp.token;
check(token, "signed up");
const student = await gql(
  token,
  `mutation { createStudent(input: {firstName: "Lily", lastName: "Chen"}) { student { id } } }`,
);
const created = await gql(
  token,
  `mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id number } userErrors { message } } }`,
  { i: { studentId: student.createStudent.student.id, dueDate: "2030-01-31",
         lines: [ { description: "Piano, 4 lessons", quantity: 4, unitMinor: 2500 },
                  { description: "<script>alert(1)</script> Theory", unitMinor: 1234 } ] } },
);
const invoice = created.createInvoice.invoice;
await gql(token, `mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } } }`, { i: { invoiceId: invoice.id } });
await gql(
  token,
  `mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } } }`,
  { i: { invoiceId: invoice.id, amountMinor: 5000, method: "CASH" } },
);
const { node } = await gql(token, `query($id: ID!) { node(id: $id) { ... on Invoice { printUrl } } }`, { id: invoice.id });
const url = `${base}${node.printUrl}`;

const browser = ["chromium", "chromium-browser", "google-chrome"].find((b) => {
  try { execFileSync("which", [b]); return true; } catch { return false; }
});
if (!browser) throw new Error("no Chromium found; .ci/run installs it");
const dom = execFileSync(
  browser,
  ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--dump-dom", url],
  // Chromium's stderr is D-Bus noise in a container: only the DOM matters.
  { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "ignore"] },
);
const textOf = (id) => {
  const m = dom.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`));
  return m && m[1];
};
check(dom.includes(`Invoice ${invoice.number}`), `shows "Invoice ${invoice.number}"`);
check(dom.includes("Allegro &amp; Sons Music School"), "shows the school's name");
check(textOf("billed-to") === "Lily Chen", "shows who is billed");
check(textOf("total") === "112.34 GBP", "shows the total 112.34 GBP");
check(textOf("balance") === "62.34 GBP", "shows the balance 62.34 GBP");
check(textOf("status") === "OPEN", "shows the status");
check(dom.includes("&lt;script&gt;alert(1)&lt;/script&gt; Theory"), "a line's markup is text");
check(!dom.includes("<script>alert(1)</script>"), "no injected script element");
console.log("invoice page checked in", browser);
