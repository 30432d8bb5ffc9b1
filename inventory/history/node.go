package history

import (
	"context"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Host use from node metrics (node_exporter): what a hypervisor host
// itself uses, guests and QEMU and the host OS together, so that the
// reserved capacity and per-guest overhead a config gives can be checked
// against it. Only memory and CPU: node_exporter says nothing of a host's
// IOPS or bandwidth in the units berth plans in.
//
//	memory  node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes      bytes
//	cpu     sum by (instance) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[5m]))  cores
//
// A node's series are matched to a host by node_uname_info's nodename (the
// host's hostname), else by the instance label's host part.

// NodeUse is one host's use over the window.
type NodeUse struct {
	// Instance is the node_exporter's instance label; Nodename its
	// uname nodename ("" when node_uname_info is not there).
	Instance, Nodename string
	// Quantile per dimension (cpu and memory only); Has says which.
	Quantile inventory.Vector
	Has      [inventory.NumDims]bool
}

// NodeQueries are the PromQL of the node check, for checking by hand.
func (c Config) NodeQueries() map[inventory.Dimension]string {
	q := strconv.FormatFloat(c.Quantile, 'g', -1, 64)
	span, step := formatDuration(c.Window), formatDuration(c.Step)
	return map[inventory.Dimension]string{
		inventory.Memory: fmt.Sprintf("quantile_over_time(%s, (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)[%s:%s])", q, span, step),
		inventory.CPU: fmt.Sprintf(`quantile_over_time(%s, (sum by (instance) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[%s])))[%s:%s])`,
			q, formatDuration(c.rateRange()), span, step),
	}
}

// ReadNodes reads every node_exporter host's use over the window: one
// query per dimension and one for the nodenames. Hosts without node
// metrics are simply not in the answer (an empty map is not an error).
// Nothing outlives cfg.Timeout.
func ReadNodes(ctx context.Context, cfg Config) ([]NodeUse, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := api.NewClient(api.Config{Address: cfg.URL})
	if err != nil {
		return nil, fmt.Errorf("usage.url: %v", err)
	}
	prom := v1.NewAPI(client)
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	end := cfg.End
	if end.IsZero() {
		end = time.Now()
	}
	source := redact(cfg.URL)
	ask := func(dim inventory.Dimension, promql string) (model.Vector, error) {
		val, _, _, err := prom.Query(ctx, promql, end, v1.WithTimeout(cfg.Timeout))
		if err != nil {
			kind, msg := queryError(err, cfg.Timeout)
			return nil, &Error{Kind: kind, URL: source, Dimension: dim, Query: promql, Msg: msg, Err: err}
		}
		vec, ok := val.(model.Vector)
		if !ok {
			return nil, &Error{Kind: KindBadResponse, URL: source, Dimension: dim, Query: promql, Msg: "expected a vector, got a " + typeOf(val)}
		}
		return vec, nil
	}
	byInstance := map[string]*NodeUse{}
	var order []string
	node := func(inst string) *NodeUse {
		if n := byInstance[inst]; n != nil {
			return n
		}
		n := &NodeUse{Instance: inst}
		byInstance[inst] = n
		order = append(order, inst)
		return n
	}
	queries := cfg.NodeQueries()
	for _, d := range []inventory.Dimension{inventory.CPU, inventory.Memory} {
		vec, err := ask(d, queries[d])
		if err != nil {
			return nil, err
		}
		for _, s := range vec {
			v := float64(s.Value)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			n := node(string(s.Metric["instance"]))
			n.Quantile[d], n.Has[d] = v, true
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	names, err := ask(inventory.CPU, "node_uname_info")
	if err == nil {
		for _, s := range names {
			if n := byInstance[string(s.Metric["instance"])]; n != nil {
				n.Nodename = string(s.Metric["nodename"])
			}
		}
	}
	out := make([]NodeUse, len(order))
	for i, inst := range order {
		out[i] = *byInstance[inst]
	}
	return out, nil
}

// FindNode is the node whose nodename is one of names (compared without
// case, and without a domain: kvm07.example.com is kvm07), else whose
// instance's host part is; nil when none is.
func FindNode(nodes []NodeUse, names ...string) *NodeUse {
	short := func(s string) string {
		s = strings.ToLower(s)
		if net.ParseIP(s) != nil {
			return s
		}
		if h, _, ok := strings.Cut(s, "."); ok {
			return h
		}
		return s
	}
	for _, match := range []func(n *NodeUse) string{
		func(n *NodeUse) string { return n.Nodename },
		func(n *NodeUse) string {
			h := n.Instance
			if i := strings.LastIndex(h, ":"); i > 0 && !strings.HasSuffix(h, "]") {
				h = h[:i]
			}
			return strings.Trim(h, "[]")
		},
	} {
		for i := range nodes {
			got := match(&nodes[i])
			if got == "" {
				continue
			}
			for _, want := range names {
				if want != "" && (strings.EqualFold(got, want) || short(got) == short(want)) {
					return &nodes[i]
				}
			}
		}
	}
	return nil
}
