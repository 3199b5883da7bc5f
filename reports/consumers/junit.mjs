// reports/consumers/junit.mjs NODE_MODULES FILE TESTS FAILURES SKIPPED
// Reads a JUnit XML file with two JavaScript consumers CI dashboards use —
// junit2json (GitLab/GitHub tooling) and xunit-viewer's own parser — and
// checks that both see TESTS testcases, FAILURES failures and SKIPPED
// skipped ones (the counts xmllint found). One line out; exit 1 on mismatch.
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [nm, file, tests, failures, skipped] = process.argv.slice(2)
const want = { tests: +tests, failures: +failures, skipped: +skipped }
const load = (p) => import(pathToFileURL(path.join(nm, p)).href)
const xml = fs.readFileSync(file, 'utf8')
const bad = (msg) => { console.log(msg); process.exit(1) }
const same = (who, got) => {
  for (const k of Object.keys(want))
    if (got[k] !== want[k]) bad(`${who}: ${k} ${got[k]}, xmllint counts ${want[k]}`)
}

// junit2json: the testcase elements of every suite
const { parse } = await load('junit2json/dist/esm/index.js')
const j = await parse(xml)
const suites = j.testsuite || (j.testcase ? [j] : [])
if (!suites.length) bad('junit2json: no testsuite')
const jc = { tests: 0, failures: 0, skipped: 0 }
for (const s of suites)
  for (const c of s.testcase || []) {
    jc.tests++
    if (c.failure) jc.failures++
    if (c.skipped) jc.skipped++
  }
same('junit2json', jc)

// xunit-viewer: its parser gives every test a status
const xv = (await load('xunit-viewer/src/cli/parse.js')).default
const res = await xv(xml)
const xc = { tests: 0, failures: 0, skipped: 0 }
for (const s of Object.values(res.suites || res))
  for (const t of Object.values(s.tests || {})) {
    xc.tests++
    if (t.status === 'failure' || t.status === 'error') xc.failures++
    if (t.status === 'skipped') xc.skipped++
  }
same('xunit-viewer', xc)
console.log(`junit2json and xunit-viewer: ${jc.tests} testcases, ${jc.failures} failures, ${jc.skipped} skipped`)
