package planner

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// maxPlanProblems is how many problems a refused plan lists before it
// counts the rest.
const maxPlanProblems = 10

// checkPlanContent refuses a plan whose content apply could never carry
// out, whatever its checksum says (a checksum proves a file is what some
// berth wrote, or what someone re-checksummed by hand; it does not prove
// the numbers or names are sane): guest names libvirt or the pool cannot
// take.
func checkPlanContent(name string, p *Plan) error {
	var problems []string
	for i, act := range p.Actions {
		if act.Op != OpCreate {
			continue
		}
		if err := inventory.CheckGuestName(act.Guest); err != nil {
			problems = append(problems, fmt.Sprintf("action %d: %v", i, err))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	more := ""
	if len(problems) > maxPlanProblems {
		more = fmt.Sprintf("\n  … and %d more", len(problems)-maxPlanProblems)
		problems = problems[:maxPlanProblems]
	}
	return fmt.Errorf("%s: the plan cannot be applied as it is:\n  %s%s", name, strings.Join(problems, "\n  "), more)
}
