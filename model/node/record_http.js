// record_http.js: an HTTP server and client over 127.0.0.1 exchanging a
// bounded number of requests (argv[2], default 40), for `poolcheck record`
// (model/node/record_programs.sh). Each request POSTs a body and gets back
// a body of another size; the exchange is checked, the exit code says so.
'use strict';
const http = require('http');

const count = Number(process.argv[2] || 40);
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const size = Number(req.url.slice(1));
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(`${body.length}:` + 'é'.repeat(size));
  });
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  let bad = 0;
  for (let i = 0; i < count; ++i) {
    const size = (i * 997) % 3000;
    const sent = 'x'.repeat((i * 131) % 700);
    const reply = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: `/${size}`, method: 'POST', agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(sent);
    });
    if (reply !== `${sent.length}:` + 'é'.repeat(size)) ++bad;
  }
  agent.destroy();
  server.close();
  console.log(`http: ${count} requests, ${bad} bad replies`);
  process.exitCode = bad === 0 ? 0 : 1;
});
