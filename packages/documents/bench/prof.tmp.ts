import { readFileSync } from 'node:fs';
import { DEFAULT_TEMPLATE_FOLDER, defaultTemplatePath, loadTemplateFile, renderPdf } from '../src/index.js';

const template = loadTemplateFile(defaultTemplatePath('birth-extract'));
const data = {
  ...JSON.parse(readFileSync(`${DEFAULT_TEMPLATE_FOLDER}/birth.sample.json`, 'utf8')),
  niu: 'N',
  documentId: 'D',
  issuer: 'I',
  issuedOn: 'x',
};
const seal = 'XM1:' + 'ABCDEFGHIJ'.repeat(42);
for (let i = 0; i < 3; i++) await renderPdf({ template, data, seal, createdAt: new Date(0) });
const t = performance.now();
for (let i = 0; i < 20; i++) await renderPdf({ template, data, seal, createdAt: new Date(0) });
console.log('ms/pdf', (performance.now() - t) / 20);
