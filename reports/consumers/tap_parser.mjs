// reports/consumers/tap_parser.mjs NODE_MODULES FILE
// Reads a TAP file with npm's tap-parser (node-tap's parser) and prints
// "tests N pass P fail F skip S yaml Y"; exit 1 when it reports a parse
// problem (lines it could not place, a bail out, a plan mismatch) or
// cannot read a failure's YAML diagnostics.
import fs from 'fs'
import path from 'path'
import { createRequire } from 'module'

const [nm, file] = process.argv.slice(2)
const require = createRequire(path.resolve(nm, 'x.js'))
const { Parser } = require('tap-parser')
const problems = []
let yaml = 0, notOk = 0
const p = new Parser({ strict: true }, (r) => {
  if (!r.ok && r.fail !== notOk) problems.push(`summary: ${JSON.stringify(r)}`)
  if (r.plan.end !== r.count) problems.push(`plan 1..${r.plan.end} but ${r.count} tests`)
  if (r.bailout) problems.push(`bail out: ${r.bailout}`)
  if (problems.length) {
    console.log(problems.slice(0, 5).join('; '))
    process.exit(1)
  }
  console.log(`tests ${r.count} pass ${r.pass} fail ${r.fail} skip ${r.skip} yaml ${yaml}`)
})
p.on('extra', (e) => problems.push(`extra output: ${JSON.stringify(e).slice(0, 100)}`))
p.on('assert', (a) => {
  if (!a.ok && !a.todo && !a.skip) {
    notOk++
    if (!a.diag || typeof a.diag !== 'object' || !('scenario' in a.diag))
      problems.push(`test ${a.id}: failure without readable YAML diagnostics`)
    else yaml++
  }
})
p.end(fs.readFileSync(file))
