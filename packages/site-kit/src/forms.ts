// `@xmcomm/site-kit/forms`: record types defined by form definition files (@xmcomm/forms) rather
// than TypeScript. A form becomes the same RecordType an app declares, through defineRecordType, so
// the workflow, search, sync and workstation pages are the kit's own; installing one on a site adds
// its table and the kit's search indexes in one transaction. Apart from the main entry so that the
// kit's core does not load the documents package (PDF fonts).

export { type FormPrintOptions, type PrintedForm, printFormRecord } from './form-print.js';
export { formRecordType, installSiteForm, siteFormRecordTypes } from './form-record-type.js';
