package graph

import "github.com/jixiao/jixiao/warehouse"

// findingConnection wraps one page of findings as a Relay connection.
func (p page) findingConnection(findings []warehouse.Finding, total int) *FindingConnection {
	edges := make([]FindingEdge, len(findings))
	for i := range findings {
		edges[i] = FindingEdge{Cursor: encodeCursor(p.offset + i), Node: &findings[i]}
	}
	table := warehouse.FindingTable(findings)
	return &FindingConnection{TotalCount: total, Nodes: findings, Edges: edges, PageInfo: p.info(len(findings), total),
		Table: &table}
}
