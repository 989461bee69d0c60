// Kept out of index.html so a Content-Security-Policy without
// 'unsafe-inline' still allows it.
const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
const defaultQuery = `# Welcome to Ostinato.
# 1. Run signUp (or login) below and copy the token.
# 2. Open the Headers tab and paste {"Authorization": "Bearer <token>"}.
# 3. Try: query { me { email school { name timezone } } }
mutation SignUp {
  signUp(input: {schoolName: "My School", email: "me@example.org", password: "a long password",
                 firstName: "Ada", lastName: "Lovelace", timezone: "Europe/London", currency: "GBP"}) {
    token
    userErrors { field message code }
  }
}
`;
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, shouldPersistHeaders: true }),
);
