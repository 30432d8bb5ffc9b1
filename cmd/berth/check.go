package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/check"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newCheckCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check PLAN",
		Short: "Hold a saved plan to your team's rules, for CI",
		Long: `check reads a plan saved by berth plan --out (or - for a plan on stdin, from
berth plan -o json) and holds it to the rules of a rules file: bounds on host
and fleet utilisation per dimension, a minimum failover reserve, the most hosts
bought, moves and bytes moved, the spread of named groups over racks or zones,
profiles that must never share a host, and the most stranded capacity. Every
broken rule is reported with the hosts and guests involved.

The rules come from --rules FILE, or else from a rules: section of the config
file (the rules themselves, or the path of a rules file). The format is in
docs/ci.md.

Exit codes: 0 every rule holds; 3 some rule is broken; 1 error (an unreadable
plan, a bad rules file: every problem with file, line and field).`,
		Example: `  berth plan -f fleet.yaml --out plan.json
  berth check plan.json --rules rules.yaml
  berth check plan.json --rules rules.yaml -o markdown > comment.md   # a PR comment
  berth check plan.json --rules rules.yaml -o junit > berth-check.xml # CI test report
  berth plan -f fleet.yaml -o json | berth check - --rules rules.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(a, cmd, args[0])
		},
	}
	cmd.Flags().String("rules", "", "the rules file (YAML); default: the config file's rules section")
	cmd.Flags().StringP("output", "o", "text", "output format: "+strings.Join(check.Formats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(check.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runCheck(a *app, cmd *cobra.Command, planPath string) error {
	format := a.v.GetString("output")
	if err := (&check.Report{}).Write(io.Discard, format); err != nil {
		return err
	}
	plan, err := readPlanArg(a, planPath)
	if err != nil {
		return err
	}
	rules, err := loadRules(a, cmd)
	if err != nil {
		return problemsError(err)
	}
	rep, err := rules.Check(plan)
	if err != nil {
		return problemsError(err)
	}
	if err := rep.Write(a.stdout, format); err != nil {
		return err
	}
	if !rep.Passed {
		return silentExit(exitUnplaced)
	}
	return nil
}

// readPlanArg reads a saved plan, or a plan on stdin for "-".
func readPlanArg(a *app, path string) (*planner.Plan, error) {
	if path != "-" {
		return planner.ReadPlanFile(path)
	}
	data, err := io.ReadAll(a.stdin)
	if err != nil {
		return nil, fmt.Errorf("reading the plan from stdin: %w", err)
	}
	return planner.DecodePlan("stdin", data)
}

// loadRules finds the rules: --rules (or BERTH_RULES) names a file;
// otherwise the config file's rules key holds the rules or a file's path.
func loadRules(a *app, cmd *cobra.Command) (*check.Rules, error) {
	if cmd.Flags().Changed("rules") || os.Getenv("BERTH_RULES") != "" {
		return check.Load(a.v.GetString("rules"))
	}
	config := a.v.ConfigFileUsed()
	if config == "" || !a.v.InConfig("rules") {
		return nil, errors.New("no rules to check: give --rules FILE, or a rules: section in the config file (docs/ci.md has the format)")
	}
	return configRules(config)
}

// configRules reads the rules key of the config file with line numbers:
// the rules themselves, or the path of a rules file (relative to the
// config file's directory).
func configRules(config string) (*check.Rules, error) {
	data, err := os.ReadFile(config)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(config), ".toml") {
		return nil, fmt.Errorf("config %s: the rules section is read from YAML or JSON config files; in a TOML config, put the rules in a file and give its path with --rules", config)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading config %s: %w", config, err)
	}
	node := rulesNode(&doc)
	if node == nil {
		return nil, fmt.Errorf("config %s: no rules key at the top level", config)
	}
	if node.Kind == yaml.ScalarNode && node.ShortTag() == "!!str" {
		path := node.Value
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(config), path)
		}
		return check.Load(path)
	}
	return check.ParseNode(config, node, "rules")
}

// rulesNode is the value of the top-level rules key (keys are matched
// without case, as viper does).
func rulesNode(doc *yaml.Node) *yaml.Node {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if strings.EqualFold(root.Content[i].Value, "rules") {
			return root.Content[i+1]
		}
	}
	return nil
}
