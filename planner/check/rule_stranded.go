package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"gopkg.in/yaml.v3"
)

// A limit on stranded capacity, per dimension:
//
//	maxStranded: {memory: 64Gi, cpu: 5%}
//
// Stranded capacity is the room left on hosts that can take nothing more
// because another dimension is exhausted (placement.Evaluate: a dimension
// with at most 5% of the host free exhausts it), summed over the fleet: the
// plan's metrics.stranded. An amount is in the dimension's units; a
// percentage is of what the hosts in use offer.

// exhausted is placement's threshold (placement/metrics.go, strandedTight):
// a dimension with at most this share of the host free leaves the rest of
// the host stranded.
const exhausted = 0.05

type strandedLimit struct {
	dim     inventory.Dimension
	amount  float64 // when share < 0
	share   float64 // of the fleet's offered capacity; -1 for an amount
	written string
}

func (d *decoder) maxStranded(n *yaml.Node, path string) []Rule {
	fields, _ := d.object(n, path, inventory.DimensionNames()...)
	var rules []Rule
	for _, f := range fields {
		dim, ok := inventory.ParseDimension(f.key)
		if !ok {
			continue
		}
		fp := join(path, f.key)
		s, sn, ok := d.scalar(f.value, fp, "an amount such as 64Gi or a share such as 5%")
		if !ok {
			continue
		}
		l := strandedLimit{dim: dim, share: -1, written: s}
		if strings.HasSuffix(s, "%") {
			v, err := parseShare(s)
			if err != nil {
				d.fail(sn, fp, "%v", err)
				continue
			}
			l.share = v
		} else {
			v, err := inventory.ParseQuantity(dim, s)
			if err != nil {
				d.fail(sn, fp, "%v", err)
				continue
			}
			l.amount = v
		}
		rules = append(rules, newRule(fp, f.keyN, l.text(), l.eval))
	}
	return rules
}

func (l strandedLimit) text() string {
	if l.share >= 0 {
		return fmt.Sprintf("at most %s of %s stranded", pct(l.share), l.dim)
	}
	return fmt.Sprintf("at most %s %s stranded", inventory.FormatQuantity(l.dim, l.amount), l.dim)
}

func (l strandedLimit) eval(f *facts) ([]Violation, error) {
	stranded := f.plan.Metrics.Stranded[l.dim]
	offered := 0.0
	type strand struct {
		host   string
		amount float64
	}
	var strands []strand
	for i := range f.plan.Hosts {
		h := &f.plan.Hosts[i]
		if h.After.IsZero() {
			continue
		}
		offered += h.Offered[l.dim]
		if a := strandedOn(h.Offered, h.After, l.dim); a > 0 {
			strands = append(strands, strand{h.Name, a})
		}
	}
	limit, share := l.amount, ""
	if l.share >= 0 {
		limit = l.share * offered
		share = fmt.Sprintf(" (%s of the %s the hosts in use offer)", pct(safeDiv(stranded, offered)), inventory.FormatQuantity(l.dim, offered))
	}
	if stranded <= limit*(1+slack) {
		return nil, nil
	}
	// The hosts that strand the most first.
	slices.SortStableFunc(strands, func(a, b strand) int { return cmp.Compare(b.amount, a.amount) })
	var hosts, parts []string
	for i, s := range strands {
		hosts = append(hosts, s.host)
		if i < 5 {
			parts = append(parts, s.host+" "+inventory.FormatQuantity(l.dim, s.amount))
		}
	}
	msg := fmt.Sprintf("%s %s stranded%s, more than %s", inventory.FormatQuantity(l.dim, stranded), l.dim, share, l.written)
	if len(parts) > 0 {
		msg += "; most on " + strings.Join(parts, ", ")
	}
	return []Violation{{Message: msg, Hosts: hosts}}, nil
}

// strandedOn is the room of dim left on a host whose other dimension is
// exhausted, as placement.Evaluate counts it.
func strandedOn(offered, used inventory.Vector, dim inventory.Dimension) float64 {
	tight := false
	for d := range offered {
		if offered[d] > 0 && (offered[d]-used[d])/offered[d] <= exhausted {
			tight = true
		}
	}
	if !tight || offered[dim] <= 0 || (offered[dim]-used[dim])/offered[dim] <= exhausted {
		return 0
	}
	return offered[dim] - used[dim]
}

func safeDiv(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}
