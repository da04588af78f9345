// bench-xform-odk.mjs: the CLMRS forms engine against ODK Web Forms' engine, the same work on the same generated forms.
//
//   node tests/bench/bench-xform-odk.mjs --engine DIR [--clmrs build/tests/bench-xform] [--runs 5] [--keep DIR]
//
// DIR is a folder holding node_modules/@getodk/xforms-engine and jsdom
// (`npm install @getodk/xforms-engine jsdom` there, outside the repository).
// The script generates a large form (sections with repeats, relevance,
// calculations and itext in English and French; over 10,000 lines) and a
// form choosing a farmer from a 10,000-row CSV by cooperative, runs each
// piece of work in a fresh process per engine and run, and prints the
// medians and the ratios (docs/benchmarks.md).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};

// ------------------------------------------------------------------
// The forms

const SECTIONS = 170;

function largeForm () {
  const instance = [];
  const binds = [];
  const body = [];
  const texts = { en: [], fr: [] };
  const text = (id, en, fr) => {
    texts.en.push(`        <text id="${id}"><value>${en}</value></text>`);
    texts.fr.push(`        <text id="${id}"><value>${fr}</value></text>`);
  };
  const choices = (ref, indent) => {
    const out = [];
    for (let c = 1; c <= 4; c++) {
      text(`${ref}/c${c}:label`, `Choice ${c}`, `Choix ${c}`);
      out.push(`${indent}<item><label ref="jr:itext('${ref}/c${c}:label')"/><value>c${c}</value></item>`);
    }
    return out;
  };

  for (let s = 1; s <= SECTIONS; s++) {
    const g = `/data/s${s}`;
    const repeat = s % 10 === 0;
    instance.push(`        <s${s}>`, '          <q1/>', '          <q2/>', '          <q3/>', '          <q4/>',
                  '          <c1/>', '          <q5/>');
    if (repeat)
      instance.push('          <r jr:template="">', '            <rq1/>', '            <rq2/>', '            <rc/>',
                    '            <rq3/>', '          </r>');
    instance.push(`        </s${s}>`);

    binds.push(`      <bind nodeset="${g}/q1" type="int" constraint=". &gt;= 0 and . &lt; 100"/>`,
               `      <bind nodeset="${g}/q2" type="string" relevant="${g}/q1 &gt; 0" required="true()"/>`,
               `      <bind nodeset="${g}/q3" type="select1" relevant="${g}/q1 &gt; 2"/>`,
               `      <bind nodeset="${g}/q4" type="decimal" constraint=". &gt;= 0"/>`,
               `      <bind nodeset="${g}/c1" type="decimal" calculate="${g}/q1 * 2 + coalesce(${g}/q4, 0)"/>`,
               `      <bind nodeset="${g}/q5" type="string" relevant="${g}/c1 &gt; 4"/>`);
    if (repeat)
      binds.push(`      <bind nodeset="${g}/r/rq1" type="int"/>`,
                 `      <bind nodeset="${g}/r/rq2" type="string" relevant="../rq1 &gt; 1"/>`,
                 `      <bind nodeset="${g}/r/rc" type="int" calculate="../rq1 * 3"/>`,
                 `      <bind nodeset="${g}/r/rq3" type="select1" relevant="../rc &gt; 6"/>`);

    text(`${g}:label`, `Section ${s}`, `Section ${s} (fr)`);
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5'])
      text(`${g}/${q}:label`, `Question ${q} of section ${s}`, `Question ${q} de la section ${s}`);
    text(`${g}/q1:hint`, 'A number from 0 to 99', 'Un nombre de 0 à 99');

    body.push(`    <group ref="${g}">`,
              `      <label ref="jr:itext('${g}:label')"/>`,
              `      <input ref="${g}/q1">`,
              `        <label ref="jr:itext('${g}/q1:label')"/>`,
              `        <hint ref="jr:itext('${g}/q1:hint')"/>`,
              '      </input>',
              `      <input ref="${g}/q2">`,
              `        <label ref="jr:itext('${g}/q2:label')"/>`,
              '      </input>',
              `      <select1 ref="${g}/q3">`,
              `        <label ref="jr:itext('${g}/q3:label')"/>`,
              ...choices(`${g}/q3`, '        '),
              '      </select1>',
              `      <input ref="${g}/q4">`,
              `        <label ref="jr:itext('${g}/q4:label')"/>`,
              '      </input>',
              `      <input ref="${g}/q5">`,
              `        <label ref="jr:itext('${g}/q5:label')"/>`,
              '      </input>');
    if (repeat) {
      text(`${g}/r:label`, `Visit in section ${s}`, `Visite de la section ${s}`);
      for (const q of ['rq1', 'rq2', 'rq3'])
        text(`${g}/r/${q}:label`, `Repeat question ${q}`, `Question répétée ${q}`);
      body.push(`      <group ref="${g}/r">`,
                `        <label ref="jr:itext('${g}/r:label')"/>`,
                `        <repeat nodeset="${g}/r">`,
                `          <input ref="${g}/r/rq1">`,
                `            <label ref="jr:itext('${g}/r/rq1:label')"/>`,
                '          </input>',
                `          <input ref="${g}/r/rq2">`,
                `            <label ref="jr:itext('${g}/r/rq2:label')"/>`,
                '          </input>',
                `          <select1 ref="${g}/r/rq3">`,
                `            <label ref="jr:itext('${g}/r/rq3:label')"/>`,
                ...choices(`${g}/r/rq3`, '            '),
                '          </select1>',
                '        </repeat>',
                '      </group>');
    }
    body.push('    </group>');
  }

  return [
    '<?xml version="1.0"?>',
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"',
    '        xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"',
    '        xmlns:odk="http://www.opendatakit.org/xforms">',
    '  <h:head>',
    '    <h:title>Benchmark: a large form</h:title>',
    '    <model odk:xforms-version="1.0.0">',
    '      <itext>',
    '        <translation lang="en" default="true()">',
    ...texts.en,
    '        </translation>',
    '        <translation lang="fr">',
    ...texts.fr,
    '        </translation>',
    '      </itext>',
    '      <instance>',
    '      <data id="bench_large" version="1">',
    ...instance,
    '        <meta><instanceID/></meta>',
    '      </data>',
    '      </instance>',
    ...binds,
    '      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>',
    '    </model>',
    '  </h:head>',
    '  <h:body>',
    ...body,
    '  </h:body>',
    '</h:html>',
    '',
  ].join('\n');
}

// As XLSForm writes select_one_from_file with a choice_filter.
const filterForm = `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms">
  <h:head>
    <h:title>Benchmark: a farmer from 10,000</h:title>
    <model odk:xforms-version="1.0.0">
      <instance>
        <data id="bench_filter" version="1"><coop/><farmer/><meta><instanceID/></meta></data>
      </instance>
      <instance id="farmers" src="jr://file-csv/farmers.csv"/>
      <bind nodeset="/data/coop" type="string"/>
      <bind nodeset="/data/farmer" type="string"/>
      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/data/coop"><label>Cooperative</label></input>
    <select1 ref="/data/farmer">
      <label>Farmer</label>
      <itemset nodeset="instance('farmers')/root/item[coop= current()/../coop ]">
        <value ref="name"/><label ref="label"/>
      </itemset>
    </select1>
  </h:body>
</h:html>
`;

function farmersCsv () {
  const rows = ['name,label,coop'];
  for (let i = 0; i < 10000; i++)
    rows.push(`f${i},Farmer ${i},c${i % 100}`);
  return rows.join('\n') + '\n';
}

// ------------------------------------------------------------------
// ODK Web Forms' side, run in a child process per measurement

async function webForms (engineDir, work, form, mediaDir) {
  globalThis.__dirname = path.join(engineDir, 'node_modules/@getodk/xforms-engine/dist/');
  const req = (name) => pathToFileURL(path.join(engineDir, 'node_modules', name)).href;
  const { JSDOM } = await import(req('jsdom/lib/api.js'));
  const dom = new JSDOM('');
  for (const name of ['DOMParser', 'XMLSerializer', 'document', 'Node', 'Element', 'Document', 'NodeFilter', 'XPathResult'])
    if (!(name in globalThis))
      globalThis[name] = dom.window[name];
  const engine = await import(req('@getodk/xforms-engine/dist/index.js'));
  const xml = fs.readFileSync(form, 'utf8');
  const fetchFormAttachment = async (url) => {
    const name = String(url.href ?? url).split('/').pop();
    const data = fs.readFileSync(path.join(mediaDir, name), 'utf8');
    return new Response(data, { headers: { 'content-type': name.endsWith('.csv') ? 'text/csv' : 'text/xml' } });
  };
  global.gc?.();
  const rssStart = Math.round(process.memoryUsage().rss / 1024);
  const t0 = performance.now();
  const instance = await engine.createInstance(xml, { form: { fetchFormAttachment } });
  const root = instance.root;
  const loadMs = performance.now() - t0;
  const walk = (node, visit) => {
    visit(node);
    for (const child of node.currentState.children ?? [])
      walk(child, visit);
  };
  const result = { engine: 'odk-web-forms', work, load_ms: loadMs };

  if (work === 'large') {
    const t1 = performance.now();
    const ranges = [];
    walk(root, (node) => { if (node.nodeType === 'repeat-range:uncontrolled') ranges.push(node); });
    for (const range of ranges) {
      range.addInstances(undefined, 3);
      for (const instanceNode of range.currentState.children)
        walk(instanceNode, (node) => { if (node.nodeType === 'input' && node.currentState.reference.endsWith('/rq1')) node.setValue('3'); });
    }
    walk(root, (node) => {
      if (node.nodeType === 'input' && /^\/data\/s[0-9]+\/q1$/.test(node.currentState.reference))
        node.setValue('5');
    });
    result.fill_ms = performance.now() - t1;

    const t2 = performance.now();
    const french = root.languages.find((language) => language.language === 'fr');
    root.setLanguage(french);
    let labelled = 0;
    walk(root, (node) => {
      if (!node.currentState.relevant)
        return;
      if (['input', 'select'].includes(node.nodeType)) {
        const label = node.currentState.label?.asString;
        if (label != null)
          labelled++;
        node.currentState.hint?.asString;
        if (node.nodeType === 'select')
          for (const option of node.currentState.valueOptions)
            option.label?.asString;
      }
    });
    result.read_ms = performance.now() - t2;
    result.check = labelled;
  } else {
    const t1 = performance.now();
    let coop = null;
    let farmer = null;
    walk(root, (node) => {
      if (node.currentState.reference === '/data/coop') coop = node;
      if (node.currentState.reference === '/data/farmer') farmer = node;
    });
    let total = 0;
    for (let r = 0; r < 20; r++) {
      coop.setValue(`c${r * 7 % 100}`);
      total += farmer.currentState.valueOptions.length;
    }
    result.filter_ms = performance.now() - t1;
    result.check = total;
  }
  result.total_ms = performance.now() - t0;
  result.rss_start_kb = rssStart;
  result.rss_peak_kb = process.resourceUsage().maxRSS;
  console.log(JSON.stringify(result));
}

// ------------------------------------------------------------------
// The comparison

function run (command, commandArgs) {
  const out = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (out.status !== 0)
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${out.status}): ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop());
}

function median (values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main () {
  if (args[0] === '--child') {
    await webForms(args[1], args[2], args[3], args[4]);
    return;
  }
  const engineDir = option('--engine', null);
  const clmrs = option('--clmrs', 'build/tests/bench-xform');
  const runs = Number(option('--runs', '5'));
  if (engineDir == null) {
    console.error('usage: node tests/bench/bench-xform-odk.mjs --engine DIR [--clmrs PATH] [--runs N] [--keep DIR]\n' +
                  'DIR holds node_modules/@getodk/xforms-engine and jsdom (npm install there)');
    process.exit(2);
  }
  const dir = option('--keep', null) ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-xform-'));
  fs.mkdirSync(dir, { recursive: true });
  const large = path.join(dir, 'large.xml');
  const filter = path.join(dir, 'filter.xml');
  fs.writeFileSync(large, largeForm());
  fs.writeFileSync(filter, filterForm);
  fs.writeFileSync(path.join(dir, 'farmers.csv'), farmersCsv());
  const lines = fs.readFileSync(large, 'utf8').split('\n').length - 1;
  const engineVersion = JSON.parse(fs.readFileSync(path.join(engineDir, 'node_modules/@getodk/xforms-engine/package.json'))).version;
  console.log(`large form: ${lines} lines, ${SECTIONS} sections; filter: 10,000-row CSV; ${runs} runs each, medians`);
  console.log(`ODK Web Forms engine @getodk/xforms-engine ${engineVersion}, node ${process.version}`);

  const script = new URL(import.meta.url).pathname;
  const results = {};
  for (const work of ['large', 'filter']) {
    const form = work === 'large' ? large : filter;
    for (const engine of ['clmrs', 'odk-web-forms']) {
      const samples = [];
      for (let r = 0; r < runs; r++)
        samples.push(engine === 'clmrs'
          ? run(clmrs, work === 'large' ? ['large', form] : ['filter', form, dir])
          : run(process.execPath, ['--expose-gc', script, '--child', engineDir, work, form, dir]));
      const checks = new Set(samples.map((s) => s.check));
      const summary = { check: [...checks].join('/') };
      for (const key of Object.keys(samples[0]))
        if (key.endsWith('_ms') || key.endsWith('_kb'))
          summary[key] = median(samples.map((s) => s[key]));
      summary.grown_kb = summary.rss_peak_kb - summary.rss_start_kb;
      results[`${work}/${engine}`] = summary;
    }
  }

  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  for (const work of ['large', 'filter']) {
    const ours = results[`${work}/clmrs`];
    const theirs = results[`${work}/odk-web-forms`];
    console.log(`\n${work === 'large' ? 'Large form' : 'Choice filter on 10,000 rows'}` +
                ` (check: clmrs ${ours.check}, Web Forms ${theirs.check})`);
    console.log('| measure | CLMRS | ODK Web Forms | ratio |');
    console.log('|---|---:|---:|---:|');
    for (const key of Object.keys(ours)) {
      if (key === 'check' || theirs[key] === undefined)
        continue;
      const unit = key.endsWith('_ms') ? 'ms' : 'MB';
      const scale = unit === 'MB' ? 1 / 1024 : 1;
      console.log(`| ${key.replace(/_(ms|kb)$/, '')} (${unit}) | ${fmt(ours[key] * scale)} | ${fmt(theirs[key] * scale)} | ` +
                  `${(theirs[key] / ours[key]).toFixed(1)}x |`);
    }
  }
  if (option('--keep', null) == null)
    fs.rmSync(dir, { recursive: true, force: true });
}

await main();
