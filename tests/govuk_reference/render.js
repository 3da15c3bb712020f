// Reads [{component, options}] as JSON on stdin; writes [html] rendered by govuk-frontend's own templates.
const nunjucks = require('nunjucks')
const path = process.argv[2]  // .../node_modules/govuk-frontend/dist
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path), { trimBlocks: true, lstripBlocks: true })
const macro = (c) => 'govuk' + c.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')
let input = ''
process.stdin.on('data', (d) => { input += d })
process.stdin.on('end', () => {
  const cases = JSON.parse(input)
  const out = cases.map(({ component, options }) => {
    const name = macro(component)
    try {
      return env.renderString(`{% from "govuk/components/${component}/macro.njk" import ${name} %}{{ ${name}(params) }}`, { params: options })
    } catch (e) { return { error: String(e) } }
  })
  process.stdout.write(JSON.stringify(out))
})
