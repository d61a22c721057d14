// Writes tokenizer.golden.json: GPT-2 BPE ids of test texts as the reference JavaScript encoder of the npm package
// gpt-3-encoder (MIT) gives them. Run from a folder where it is installed:
//   cd /tmp && npm install gpt-3-encoder && node /path/to/tests/data/lm/make_tokenizer_golden.js
const fs = require('fs');
const path = require('path');
const { encode } = require(require.resolve('gpt-3-encoder', { paths: [process.cwd()] }));

const texts = [
  "Hello world",
  "I'm sure they'll say it's what we've done, isn't it? You'd REALLY think so.",
  "rock 'n' roll ''quoted'' 'sup",
  "one  two   three    four     end",
  "trailing spaces   ",
  "   leading spaces",
  "tabs\there\t\tand\t \tmixed",
  "line one\nline two\n\nline four\r\nwindows\n",
  "numbers 3.14159 and 1,000,000 and 2024-12-01 x86_64 v2",
  "Ünïcödé àccénts: café, naïve, façade, Ångström, Łódź, ØRSTED",
  "日本語のテキストと中文字符，还有한국어 텍스트",
  "emoji 🙂🚀 and 👩‍💻 family 👨‍👩‍👧 flags 🇩🇪 ok",
  "punctuation!!! ... ??? --- (brackets) [more] {braces} <tags/> @#$%^&*",
  "mixed\u00a0nbsp and\u2003em space and\u3000ideographic",
  "Ελληνικά και русский текст и العربية",
  "<|endoftext|> is plain text here",
  "a",
  "",
  "    \n    indented code();\n\treturn x + 1;  // comment\n",
];
const cases = texts.map(text => ({ text, ids: encode(text) }));
fs.writeFileSync(path.join(__dirname, 'tokenizer.golden.json'), JSON.stringify({ cases }, null, 0) + '\n');
