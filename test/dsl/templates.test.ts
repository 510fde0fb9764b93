import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatIssue, validate } from "../../src/dsl/index.ts";

const HEAD = "apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: t}\n";
/** Formatted issues of a playbook whose workflow (and anything after it) is `body`. */
const issues = (body: string): string[] => validate(`${HEAD}${body}`).errors.map(formatIssue);

describe("template syntax", () => {
  test("points at the exact column inside plain, double- and single-quoted scalars", () => {
    assert.deepEqual(
      issues(
        [
          "workflow:",
          "  - step: start",
          "    tool: {kind: noop}",
          "    args:",
          "      plain: x {{ a + }}",
          '      double: "{{ a ) }}"',
          "      single: '{{ a ) }}'",
        ].join("\n"),
      ),
      [
        "8:23 workflow[0].args.plain: Step 'start': template error: unexpected end of expression",
        "9:21 workflow[0].args.double: Step 'start': template error: unexpected ')'",
        "10:21 workflow[0].args.single: Step 'start': template error: unexpected ')'",
      ],
    );
  });

  test("maps lines of a literal block; falls back to the node for folded and escaped strings", () => {
    const body = [
      "workflow:",
      "  - step: start",
      "    tool:",
      "      kind: postgres",
      "      command: |",
      "        select 1;",
      "        select {{ a ) }};",
      "    args:",
      "      folded: >",
      "        long text",
      "        {{ a ) }}",
      '      escaped: "\\t{{ a ) }}"',
    ].join("\n");
    assert.deepEqual(issues(body), [
      "10:21 workflow[0].tool.command: Step 'start': template error: unexpected ')'",
      "12:15 workflow[0].args.folded: Step 'start': template error: unexpected ')'",
      "15:16 workflow[0].args.escaped: Step 'start': template error: unexpected ')'",
    ]);
  });

  test("when, collect.from and result.from are expressions, bare or templated", () => {
    const body = [
      "workflow:",
      "  - step: start",
      "    tool: {kind: noop}",
      "    case:",
      "      - when: event.name == 'call.done' and response.status == 200",
      "        then: {collect: {from: response.data, into: rows}, result: {from: ctx.rows}}",
      "      - when: \"{{ event.name == 'step.exit' }}\"",
      '        then: {collect: {from: "{{ response.data }}", into: rows}}',
      "      - when: event.name ==",
      "        then: {result: {from: 'ctx.rows[0'}}",
    ].join("\n");
    assert.deepEqual(issues(body), [
      "12:28 workflow[0].case[2].when: Step 'start': template error: unexpected end of expression",
      "13:42 workflow[0].case[2].then.result.from: Step 'start': template error: unexpected end of expression",
    ]);
  });

  test("python code is never checked; workload is data", () => {
    const body = [
      "workload: {note: '{{ not a template'}",
      "workflow:",
      "  - step: start",
      "    tool: {kind: python, code: \"print('{{ x )')\"}",
    ].join("\n");
    assert.deepEqual(issues(body), []);
  });

  test("sinks, call overrides, transition args, fail and skip messages are checked too", () => {
    const body = [
      "workflow:",
      "  - step: start",
      "    tool: {kind: noop}",
      "    case:",
      "      - when: true",
      "        then:",
      "          - sink: {tool: {kind: postgres, command: 'insert {{ ) }}'}}",
      "          - call: {args: {page: '{{ ) }}'}}",
      "          - next: [{step: start, args: {a: '{{ ) }}'}}]",
      "          - fail: '{{ ) }}'",
    ].join("\n");
    assert.equal(issues(body).length, 4);
  });
});

describe("references", () => {
  const graph = (extra: string) =>
    [
      "workflow:",
      "  - step: start",
      "    tool: {kind: noop}",
      "    next: [fetch]",
      "  - step: fetch",
      "    loop: {in: '{{ workload.pages }}', iterator: page}",
      "    tool: {kind: http, endpoint: 'http://127.0.0.1/{{ page }}/{{ start.id }}'}",
      "    next: [done]",
      "  - step: done",
      "    tool: {kind: noop}",
      extra,
    ].join("\n");

  test("context names, iterators, globals, earlier steps and bare names are fine", () => {
    const ok = graph(
      [
        "    args:",
        "      a: '{{ workload.x ~ ctx.y ~ vars.z ~ args.w ~ event.name ~ execution_id }}'",
        "      b: '{{ fetch | length }}{{ start.data.id }}{{ loop.index }}{{ result.rows }}'",
        "      c: '{{ response.data if response is defined else error.message }}'",
        "      d: '{{ true and none is none and range(3) | list }}'",
        "      e: '{{ some_local }}'",
        "      f: '{{ done.x }}'",
      ].join("\n"),
    );
    assert.deepEqual(issues(ok), []);
  });

  test("an unknown root read as name.field is reported with a suggestion", () => {
    assert.deepEqual(issues(graph("    args: {a: '{{ fetc.data }}', b: '{{ pge.x }}'}")), [
      "14:19 workflow[2].args.a: Step 'done': unknown name 'fetc' (did you mean 'fetch'?)",
      "14:41 workflow[2].args.b: Step 'done': unknown name 'pge'",
    ]);
  });

  test("a loop iterator is only in scope in its own step", () => {
    assert.deepEqual(issues(graph("    args: {a: '{{ page.n }}'}")), [
      "14:19 workflow[2].args.a: Step 'done': unknown name 'page' (the loop iterator of step 'fetch' is visible only in that step)",
    ]);
  });

  test("a step that cannot have run before is reported", () => {
    const body = [
      "workflow:",
      "  - step: start",
      "    tool: {kind: noop}",
      "    case:",
      "      - when: '{{ later.ok }}'",
      "        then: {next: [left, right]}",
      "  - step: left",
      "    tool: {kind: noop}",
      "    args: {r: '{{ right.x }}'}",
      "  - step: right",
      "    tool: {kind: noop}",
      "    case:",
      "      - when: true",
      "        then: {call: {step: later}}",
      "  - step: later",
      "    tool: {kind: noop}",
      "    args: {s: '{{ start.x }}{{ right.x }}{{ left.x }}'}",
    ].join("\n");
    assert.deepEqual(issues(body), [
      "8:19 workflow[0].case[0].when: Step 'start': step 'later' never runs before 'start'",
      "12:19 workflow[1].args.r: Step 'left': step 'right' never runs before 'left'",
      "20:45 workflow[3].args.s: Step 'later': step 'left' never runs before 'later'",
    ]);
  });

  test("a cycle makes every step of it run before the others", () => {
    const body = [
      "workflow:",
      "  - step: start",
      "    tool: {kind: noop}",
      "    args: {n: '{{ poll.count }}'}",
      "    next: poll",
      "  - step: poll",
      "    tool: {kind: noop}",
      "    case:",
      "      - when: '{{ poll.count < 3 }}'",
      "        then: {next: start}",
    ].join("\n");
    assert.deepEqual(issues(body), []);
  });

  test("workbook entries may read any iterator; keychain templates are not name-checked", () => {
    const body = [
      "keychain:",
      "  - name: pg",
      "    password: '{{ secrets.pg_password }}'",
      "workbook:",
      "  - name: fetch_one",
      "    tool: {kind: http, endpoint: '{{ city.url }}/{{ args.x }}'}",
      "    args: {u: '{{ nowhere.x }}'}",
      "workflow:",
      "  - step: start",
      "    loop: {in: [1], iterator: city}",
      "    tool: {kind: workbook, name: fetch_one}",
    ].join("\n");
    assert.deepEqual(issues(body), ["10:19 workbook[0].args.u: unknown name 'nowhere'"]);
  });
});
