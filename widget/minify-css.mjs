// Minifies chronicle.css for the widget the binary carries: comments
// out, runs of white space made one space, none around braces and
// semicolons, nor after colons and commas (the stylesheet has no strings
// or URLs those would touch, and no selector has a space after a colon),
// nor around the combinators + and > (only in selectors: calc() needs
// the spaces around its +).
//   node widget/minify-css.mjs IN OUT
import fs from 'node:fs';

const [input, output] = process.argv.slice(2);
const css = fs.readFileSync(input, 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/\s+/g, ' ')
  .replace(/\s*([{};])\s*/g, '$1')
  .replace(/([:,]) /g, '$1')
  .replace(/#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3\b/g, '#$1$2$3')
  .replace(/;}/g, '}')
  // In selectors (what comes before a `{`): no quotes around an
  // attribute's value that is a plain word, no spaces around + and >.
  .replace(/(?<=^|[{}])[^{}]+(?=\{)/g, (selector) => selector
    .replace(/="([a-z][a-z0-9-]*)"]/g, '=$1]')
    .replace(/ ?([+>]) ?/g, '$1'))
  .trim();
fs.writeFileSync(output, `${css}\n`);
