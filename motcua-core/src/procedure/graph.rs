//! The internal workflow as a petgraph graph: reachability checks and drawings.
//! petgraph stays private to this module.

use petgraph::Direction;
use petgraph::algo::{has_path_connecting, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeFiltered, Reversed};
use std::collections::HashMap;

use super::{Action, Procedure, Step};
use crate::calendar::WorkingTime;

pub(super) struct Workflow<'a> {
    graph: DiGraph<&'a Step, Action>,
    index: HashMap<&'a str, NodeIndex>,
}

impl<'a> Workflow<'a> {
    pub(super) fn new(steps: &'a [Step], transitions: &[(&str, &str, Action)]) -> Workflow<'a> {
        let mut graph = DiGraph::new();
        let mut index = HashMap::new();
        for s in steps {
            index.insert(s.id.as_str(), graph.add_node(s));
        }
        for (from, to, action) in transitions {
            if let (Some(&a), Some(&b)) = (index.get(from), index.get(to)) {
                graph.add_edge(a, b, *action);
            }
        }
        Workflow { graph, index }
    }

    /// Indices (in step order) of steps not reachable from the first step.
    pub(super) fn unreachable(&self) -> Vec<usize> {
        let mut seen = vec![false; self.graph.node_count()];
        if self.graph.node_count() > 0 {
            let mut dfs = Dfs::new(&self.graph, NodeIndex::new(0));
            while let Some(n) = dfs.next(&self.graph) {
                seen[n.index()] = true;
            }
        }
        (0..seen.len()).filter(|&i| !seen[i]).collect()
    }

    /// Indices of steps from which no end step can be reached.
    pub(super) fn no_path_to_end(&self) -> Vec<usize> {
        let mut seen = vec![false; self.graph.node_count()];
        let reversed = Reversed(&self.graph);
        for n in self.graph.node_indices().filter(|n| self.graph[*n].end) {
            let mut dfs = Dfs::new(reversed, n);
            while let Some(m) = dfs.next(reversed) {
                seen[m.index()] = true;
            }
        }
        (0..seen.len()).filter(|&i| !seen[i]).collect()
    }

    /// Whether step `a` comes before step `b` along forward/approve transitions.
    pub(super) fn is_ahead(&self, a: &str, b: &str) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(a), self.index.get(b)) else {
            return false;
        };
        let forward = EdgeFiltered::from_fn(&self.graph, |e| *e.weight() != Action::SendBack);
        has_path_connecting(&forward, a, b, None)
    }

    /// The largest sum of allowances along a forward path from the first step to an end step,
    /// or `None` if the forward graph has a cycle or an allowance is in calendar days.
    pub(super) fn longest_allowance(&self) -> Option<WorkingTime> {
        let mut forward = self.graph.clone();
        forward.retain_edges(|g, e| g[e] != Action::SendBack);
        let order = toposort(&forward, None).ok()?;
        let weight = |n: NodeIndex| forward[n].allowance.working_time();
        let mut best: Vec<Option<i64>> = vec![None; forward.node_count()];
        best[0] = Some(weight(NodeIndex::new(0))?.secs());
        for n in order {
            let Some(here) = best[n.index()] else {
                continue;
            };
            for m in forward.neighbors_directed(n, Direction::Outgoing) {
                let candidate = here + weight(m)?.secs();
                if best[m.index()].is_none_or(|b| b < candidate) {
                    best[m.index()] = Some(candidate);
                }
            }
        }
        forward
            .node_indices()
            .filter(|n| forward[*n].end)
            .filter_map(|n| best[n.index()])
            .max()
            .map(WorkingTime::from_secs)
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub(super) fn to_dot(p: &Procedure) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n  label=\"{} ({})\";\n  node [shape=box];\n",
        quote(&p.catalogue.code),
        quote(&p.catalogue.name),
        p.catalogue.time_limit
    );
    for s in &p.steps {
        out += &format!(
            "  \"{}\" [label=\"{}\\n{} · {}\"{}];\n",
            quote(&s.id),
            quote(&s.name),
            s.role,
            s.allowance,
            if s.end { ", peripheries=2" } else { "" }
        );
    }
    for t in &p.transitions {
        let style = match t.action {
            Action::SendBack => ", style=dashed",
            _ => "",
        };
        let guard = if t.guard.is_some() { " [guard]" } else { "" };
        out += &format!(
            "  \"{}\" -> \"{}\" [label=\"{}{}\"{}];\n",
            quote(&t.from),
            quote(&t.to),
            t.action.as_str(),
            guard,
            style
        );
    }
    out + "}\n"
}

pub(super) fn to_mermaid(p: &Procedure) -> String {
    let id = |i: usize| format!("s{i}");
    let pos: HashMap<&str, usize> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut out = String::from("flowchart TD\n");
    for (i, s) in p.steps.iter().enumerate() {
        let (open, close) = if s.end { ("([", "])") } else { ("[", "]") };
        out += &format!(
            "  {}{open}\"{}<br/>{} · {}\"{close}\n",
            id(i),
            s.name.replace('"', "'"),
            s.role,
            s.allowance
        );
    }
    for t in &p.transitions {
        let arrow = match t.action {
            Action::SendBack => "-.->",
            _ => "-->",
        };
        out += &format!(
            "  {} {arrow}|{}| {}\n",
            id(pos[t.from.as_str()]),
            t.action.as_str(),
            id(pos[t.to.as_str()])
        );
    }
    out
}
