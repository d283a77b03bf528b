// record_markdown.js: markdown-it (the npm package, from the directory given
// first) renders every .md file of the directory given second, for
// `poolcheck record` (model/node/record_programs.sh). Each file is read as a
// stream of Buffers, as a CLI reading stdin does; the HTML goes to stdout.
'use strict';
const fs = require('fs');
const path = require('path');

const markdownIt = require(path.resolve(process.argv[2], 'node_modules', 'markdown-it'));
const md = markdownIt();
const dir = process.argv[3];

async function read(file) {
  const chunks = [];
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 16384 })) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

(async () => {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.md')).sort())
    process.stdout.write(md.render(await read(path.join(dir, name))));
})();
