import { Graph, layout } from '@dagrejs/dagre';

// Where the topology's boxes and arrows go: dagre's layered layout, left to
// right in the direction traffic flows.

export interface LayoutNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
  /** Room for the edge's label, so labels do not overlap nodes. */
  readonly labelWidth: number;
}

export interface Placed {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly edges: ReadonlyMap<string, { points: { x: number; y: number }[]; label: { x: number; y: number } }>;
}

export const edgeId = (from: string, to: string) => `${from}>${to}`;

export function placeGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Placed {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 50, ranksep: 110, edgesep: 20, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) {
    if (g.hasNode(e.from) && g.hasNode(e.to))
      g.setEdge(e.from, e.to, { width: e.labelWidth, height: 16, labelpos: 'c' });
  }
  layout(g);
  const placedNodes = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const n = g.node(id);
    placedNodes.set(id, { x: n.x, y: n.y });
  }
  const placedEdges = new Map<string, { points: { x: number; y: number }[]; label: { x: number; y: number } }>();
  for (const e of g.edges()) {
    const label = g.edge(e);
    placedEdges.set(edgeId(e.v, e.w), {
      points: (label.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
      label: { x: label.x ?? 0, y: label.y ?? 0 },
    });
  }
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes: placedNodes, edges: placedEdges };
}
