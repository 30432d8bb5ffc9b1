package main

import (
	"errors"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/spf13/cobra"
)

// policyKnobs maps the fields inventory.Policy.Validate reports to the
// policy flags that set them, the flag that sets the field itself first
// (hard mode needs maxPerHost ≥ 1: --max-per-host, else --same-appetite).
var policyKnobs = []struct {
	field string
	keys  []string
}{
	{"policy.overcommit", []string{"overcommit"}},
	{"policy.headroom", []string{"headroom"}},
	{"policy.sameAppetite.maxPerHost", []string{"max-per-host", "same-appetite"}},
	{"policy.sameAppetite.mode", []string{"same-appetite"}},
	{"policy.failoverHosts", []string{"failover-hosts"}},
	{"policy.failoverMode", []string{"failover-mode"}},
	{"policy.objective", []string{"objective"}},
	{"policy.strategy", []string{"strategy"}},
	{"policy.iterations", []string{"iterations"}},
}

// blamePolicy checks pol as the planner will (for a fleet of hosts hosts)
// and says each problem with a value the user set as coming from where it
// was set: "--headroom: cpu: headroom is … found 1.5",
// "berth.yaml:2: failover-hosts: 20 failed hosts cannot be survived …".
// Problems with no such value are left for SetPolicy to report: the
// scenario's own policy has been checked against its file already.
func blamePolicy(a *app, cmd *cobra.Command, pol inventory.Policy, hosts int) error {
	var probs inventory.Problems
	if !errors.As(pol.Validate(hosts), &probs) {
		return nil
	}
	var lines []string
	said := map[string]bool{}
	for _, p := range probs {
		key, dim := a.knobOf(cmd, p.Field)
		if key == "" {
			continue
		}
		all, _, _ := ratioSetting(a.v.Get(key))
		if dim != "" && all == "" {
			// Given per dimension: say which.
			lines = append(lines, a.origin(cmd, key)+": "+dim+": "+p.Message)
			continue
		}
		if !said[key] { // one value for every dimension: once
			said[key] = true
			lines = append(lines, a.origin(cmd, key)+": "+p.Message)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return errors.New(strings.Join(lines, "\n"))
}

// knobOf is the policy flag the user set that a problem's field belongs to,
// and the dimension of a per-dimension field ("policy.headroom.cpu" →
// headroom, cpu); "" when the user set none.
func (a *app) knobOf(cmd *cobra.Command, field string) (key, dim string) {
	for _, k := range policyKnobs {
		rest, ok := strings.CutPrefix(field, k.field)
		if !ok || (rest != "" && !strings.HasPrefix(rest, ".")) {
			continue
		}
		for _, key := range k.keys {
			if cmd.Flags().Lookup(key) != nil && a.isSet(cmd, key) {
				return key, strings.TrimPrefix(rest, ".")
			}
		}
		return "", ""
	}
	return "", ""
}
