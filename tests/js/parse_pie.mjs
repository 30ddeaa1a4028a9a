// Parse mermaid pie charts with mermaid's own parser (@mermaid-js/parser, which mermaid's pie
// diagram uses). Reads a JSON list of chart texts on stdin; writes, for each, {ok, values} or
// {ok: false, error}. Mermaid also refuses negative values when it draws: that is said too.
import { parse } from "@mermaid-js/parser";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const answers = [];
for (const text of JSON.parse(input)) {
  try {
    const chart = await parse("pie", text);
    const values = chart.sections.map((section) => section.value);
    const negative = values.find((value) => value < 0);
    answers.push(
      negative === undefined
        ? { ok: true, values }
        : { ok: false, error: `negative value ${negative}` },
    );
  } catch (error) {
    answers.push({ ok: false, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(answers));
