/**
 * A job's plan as the dashboard draws it: the fused stages (with the
 * transforms each runs) and the shuffle nodes between them, laid out left to
 * right by depth, as SVG. Counters are filled in by the page.
 */
import { fromProto } from "../../portability/from_proto";
import type { GraphNode, PipelineGraph } from "../../portability/job_api/job_api_protocol";
import { shuffleInputs, type ExecutionPlan } from "../../portability/plan/execution_plan";
import { NATIVE_COMPOSITES, planExecution } from "../core/fusion";
import { findRunner } from "../../sdk/options/runner_registry";

/** Nodes are as wide as their longest line, within these bounds. */
const MIN_NODE_WIDTH = 220;
const MAX_NODE_WIDTH = 520;
/** Rough advance of one character of the labels (12 px) and of the bold title (13 px): the server has no font metrics. */
const CHAR_WIDTH = 6.6;
const TITLE_CHAR_WIDTH = 8.2;
/** The counts line the page fills in, at its widest expected: "in 99,999,999 (999,999/s) · out 99,999,999". */
const COUNTS_CHARS = 40;
const TEXT_INSET = 14;
const COLUMN_GAP = 70;
const ROW_GAP = 28;
const LINE_HEIGHT = 16;
const HEADER_HEIGHT = 24;
const COUNTS_HEIGHT = 22;
const PADDING = 16;
const MAX_LABEL = Math.floor((MAX_NODE_WIDTH - 2 * TEXT_INSET) / CHAR_WIDTH);

/**
 * Decodes, validates and plans a pipeline proto as `runner` plans it (its
 * native composites), and draws its graph; throws a clear error for a bad proto.
 */
export function pipelineGraphOf(pipelineProto: Uint8Array, runner = "direct"): PipelineGraph {
  const nativeComposites = findRunner(runner)?.nativeComposites?.(pipelineProto) ?? NATIVE_COMPOSITES;
  const model = fromProto(pipelineProto, {
    nativeComposites,
    supportedRequirements: ["beam:requirement:pardo:stateful:v1", "beam:requirement:pardo:splittable_dofn:v1"],
  });
  return graphOfPlan(planExecution(model));
}

function stepName(step: object): string {
  const s = step as { kind: string; transformId?: string; combineId?: string };
  if (s.kind === "precombine" && s.combineId) return `${s.combineId} (precombine)`;
  return s.transformId ?? s.kind;
}

/** The graph of a plan. */
export function graphOfPlan(plan: ExecutionPlan): PipelineGraph {
  const nodes: GraphNode[] = [];
  const producer = new Map<string, string>();
  const reads: { node: string; pcollection: string; side: boolean }[] = [];
  for (const stage of plan.stages) {
    const root = stage.root;
    const transforms = [...(root.kind === "pcollection" ? [] : [root.transformId]), ...stage.steps.map(stepName)];
    nodes.push({ id: stage.id, kind: "stage", title: stage.id, transforms });
    for (const pc of stage.produces) producer.set(pc, stage.id);
    for (const pc of stage.materialized) producer.set(pc, stage.id);
    if (root.kind === "pcollection") reads.push({ node: stage.id, pcollection: root.pcollection, side: false });
    for (const pc of stage.sideInputs) reads.push({ node: stage.id, pcollection: pc, side: true });
  }
  for (const shuffle of plan.shuffles) {
    const lifted = shuffle.kind === "combine" ? (shuffle.lifted ? " (lifted)" : "") : "";
    nodes.push({ id: shuffle.transformId, kind: "shuffle", title: `${shuffle.kind}${lifted}`, transforms: [shuffle.transformId] });
    producer.set(shuffle.output, shuffle.transformId);
    for (const pc of shuffleInputs(shuffle)) reads.push({ node: shuffle.transformId, pcollection: pc, side: false });
  }
  const edges = reads.flatMap((r) => {
    const from = producer.get(r.pcollection);
    return from !== undefined && from !== r.node ? [{ from, to: r.node, pcollection: r.pcollection, side: r.side }] : [];
  });
  return { nodes, edges, svg: drawGraph(nodes, edges) };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function shorten(s: string): string {
  return s.length <= MAX_LABEL ? s : `…${s.slice(s.length - MAX_LABEL + 1)}`;
}

/** The width `n`'s box needs for its title, its transforms and its counts. */
function widthOf(n: GraphNode): number {
  const longest = Math.max(
    n.title.length * TITLE_CHAR_WIDTH,
    COUNTS_CHARS * CHAR_WIDTH,
    ...n.transforms.map((t) => shorten(t).length * CHAR_WIDTH),
  );
  return Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH, Math.ceil(longest + 2 * TEXT_INSET)));
}

/**
 * Lays the graph out left to right by depth, each column as wide as its
 * widest node, and sizes the SVG to what it holds: the page shows it at
 * that size and scrolls it when it is bigger than the window.
 */
function drawGraph(nodes: readonly GraphNode[], edges: PipelineGraph["edges"]): string {
  // Depth: the longest path from a node without inputs.
  const depth = new Map<string, number>();
  const inputsOf = new Map<string, string[]>();
  for (const e of edges) inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...(inputsOf.get(id) ?? []).map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const columns: GraphNode[][] = [];
  for (const n of nodes) (columns[depthOf(n.id)] ??= []).push(n);
  const heightOf = (n: GraphNode): number => HEADER_HEIGHT + n.transforms.length * LINE_HEIGHT + COUNTS_HEIGHT + 6;
  const place = new Map<string, { x: number; y: number; w: number; h: number }>();
  let x = PADDING;
  let height = 0;
  for (const column of columns) {
    const w = Math.max(MIN_NODE_WIDTH, ...(column ?? []).map(widthOf));
    let y = PADDING;
    for (const n of column ?? []) {
      const h = heightOf(n);
      place.set(n.id, { x, y, w, h });
      y += h + ROW_GAP;
    }
    height = Math.max(height, y - ROW_GAP + PADDING);
    x += w + COLUMN_GAP;
  }
  const width = Math.max(x - COLUMN_GAP + PADDING, 2 * PADDING);
  height = Math.max(height, 2 * PADDING);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="pipeline-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#667"/></marker></defs>`,
  ];
  for (const e of edges) {
    const a = place.get(e.from)!;
    const b = place.get(e.to)!;
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2;
    const x2 = b.x;
    const y2 = b.y + b.h / 2;
    const mid = (x1 + x2) / 2;
    parts.push(
      `<path class="edge${e.side ? " side" : ""}" d="M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}" fill="none" stroke="#667" stroke-width="1.5"${e.side ? ' stroke-dasharray="5 4"' : ""} marker-end="url(#arrow)"><title>${escapeXml(e.pcollection)}${e.side ? " (side input)" : ""}</title></path>`,
    );
  }
  for (const n of nodes) {
    const { x, y, w, h } = place.get(n.id)!;
    const fill = n.kind === "stage" ? "#eef4ff" : "#fff4e6";
    const stroke = n.kind === "stage" ? "#4a6fb5" : "#c07a1b";
    parts.push(`<g class="node ${n.kind}" data-node="${escapeXml(n.id)}" transform="translate(${x},${y})">`);
    parts.push(
      `<rect width="${w}" height="${h}" rx="${n.kind === "stage" ? 8 : 2}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`,
    );
    parts.push(`<text class="title" x="10" y="17" font-weight="bold" font-size="13">${escapeXml(n.title)}</text>`);
    n.transforms.forEach((t, i) => {
      parts.push(
        `<text class="transform" x="14" y="${HEADER_HEIGHT + 12 + i * LINE_HEIGHT}" font-size="12"><title>${escapeXml(t)}</title>${escapeXml(shorten(t))}</text>`,
      );
    });
    parts.push(`<text class="counts" x="10" y="${h - 10}" font-size="12" fill="#234">in 0 · out 0</text>`);
    parts.push(`</g>`);
  }
  parts.push(`</svg>`);
  return parts.join("\n");
}
