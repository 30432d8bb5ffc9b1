package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner/apply"
)

// MaxVolumeSize is the largest disk volume a template may ask for: 64 TiB,
// beyond any disk one guest is given from one volume. A size past it is a
// typo (volumeSize: 1e30 once became 8 EiB).
const MaxVolumeSize = 64 << 40

// templateConfig is one entry of the config's "templates" map (by profile,
// "default" for every profile without its own). Unset keys inherit from
// templates.default, then from the built-in default.
type templateConfig struct {
	DomainType   string `mapstructure:"domainType"`
	Arch         string `mapstructure:"arch"`
	Machine      string `mapstructure:"machine"`
	Pool         string `mapstructure:"pool"`
	VolumeSize   any    `mapstructure:"volumeSize"`
	VolumeFormat string `mapstructure:"volumeFormat"`
	BaseImage    string `mapstructure:"baseImage"`
	Network      string `mapstructure:"network"`
	Bridge       string `mapstructure:"bridge"`
	NICModel     string `mapstructure:"nicModel"`
	Start        *bool  `mapstructure:"start"`
}

// templateKeys are the keys a template entry may have, as written in docs.
var templateKeys = []string{"domainType", "arch", "machine", "pool", "volumeSize", "volumeFormat", "baseImage", "network", "bridge", "nicModel", "start"}

// applyTemplates reads the templates from the config: every key checked
// (an unknown one is an error with its file and line), then each profile's
// entry laid over templates.default, laid over the built-in default.
func (a *app) applyTemplates() (apply.Templates, error) {
	if err := a.checkTemplateKeys(); err != nil {
		return nil, err
	}
	var raw map[string]templateConfig
	if err := a.v.UnmarshalKey("templates", &raw); err != nil {
		return nil, fmt.Errorf("config %s templates: %w", a.configUsed, err)
	}
	out := apply.Templates{}
	def := apply.DefaultGuestTemplate()
	if c, ok := raw[apply.DefaultTemplateKey]; ok {
		var err error
		if def, err = c.over(def, a.templateAt(apply.DefaultTemplateKey)); err != nil {
			return nil, err
		}
	}
	out[apply.DefaultTemplateKey] = def
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if name == apply.DefaultTemplateKey {
			continue
		}
		t, err := raw[name].over(def, a.templateAt(name))
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// templateSource says where the templates come from, for messages that
// ask the operator to change them.
func (a *app) templateSource() string {
	switch {
	case a.configUsed == "":
		return "the built-in default template; set templates: in ./berth.yaml or $XDG_CONFIG_HOME/berth/config.yaml"
	case !a.v.IsSet("templates"):
		return "the built-in default template; set templates: in " + a.configUsed
	}
	if line := yamlLine(a.configData, []string{"templates"}); line > 0 {
		return fmt.Sprintf("templates: in %s, line %d", a.configUsed, line)
	}
	return "templates: in " + a.configUsed
}

// templateAt names a key of the template of profile name in messages
// ("FILE line N: templates.web.pool"); no key names the entry itself.
func (a *app) templateAt(name string) func(key ...string) string {
	return func(key ...string) string {
		return a.configAt(append([]string{"templates", name}, key...)...)
	}
}

// checkTemplateKeys refuses a templates section whose entries are not maps
// or have keys no template has.
func (a *app) checkTemplateKeys() error {
	v := a.v.Get("templates")
	if v == nil {
		return nil
	}
	entries, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("config %s: templates must map profile names to templates (see docs/apply.md)", a.configAt("templates"))
	}
	known := map[string]bool{}
	for _, k := range templateKeys {
		known[strings.ToLower(k)] = true
	}
	var bad []string
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		entry, ok := entries[name].(map[string]any)
		if !ok {
			if entries[name] == nil {
				continue // an empty entry: the profile takes templates.default
			}
			bad = append(bad, fmt.Sprintf("%s: a template is a map of keys (%s)", a.configAt("templates", name), strings.Join(templateKeys, ", ")))
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(entry)) {
			if !known[strings.ToLower(key)] {
				bad = append(bad, fmt.Sprintf("%s: unknown key%s", a.configAt("templates", name, key), inventory.Suggestion(key, templateKeys)))
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("config %s (a template's keys are %s)", strings.Join(bad, "; "), strings.Join(templateKeys, ", "))
	}
	return nil
}

// over lays the keys c sets over base. "none" as pool, network or bridge
// removes the disk or the NIC; an entry gives a network or a bridge, not
// both, and its choice replaces the one it inherits.
func (c templateConfig) over(base apply.GuestTemplate, at func(key ...string) string) (apply.GuestTemplate, error) {
	t := base
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&t.DomainType, c.DomainType)
	set(&t.Arch, c.Arch)
	set(&t.Machine, c.Machine)
	set(&t.Pool, c.Pool)
	set(&t.VolumeFormat, c.VolumeFormat)
	set(&t.BaseImage, c.BaseImage)
	set(&t.NICModel, c.NICModel)
	if given(c.Network) && given(c.Bridge) {
		return t, fmt.Errorf("config %s: network %q and bridge %q are both given; a guest's NIC joins one: give network (a libvirt network) or bridge (a host bridge), not both", at(), c.Network, c.Bridge)
	}
	if c.Bridge != "" {
		t.Bridge, t.Network = c.Bridge, ""
	}
	if c.Network != "" {
		t.Network, t.Bridge = c.Network, ""
	}
	if t.Pool == "none" {
		t.Pool, t.BaseImage = "", ""
	}
	if t.Network == "none" {
		t.Network = ""
	}
	if t.Bridge == "none" {
		t.Bridge = ""
	}
	if c.VolumeSize != nil {
		size, err := volumeSize(c.VolumeSize)
		if err != nil {
			return t, fmt.Errorf("config %s: %v", at("volumeSize"), err)
		}
		t.VolumeSize = size
	}
	switch t.DomainType {
	case "kvm", "qemu", "test", "xen", "lxc", "hvf":
	default:
		return t, fmt.Errorf("config %s: %q, want kvm, qemu, test, xen, lxc or hvf", at("domainType"), t.DomainType)
	}
	if c.Start != nil {
		t.Start = *c.Start
	}
	return t, nil
}

// given reports whether a template key is set to something other than
// "none".
func given(v string) bool { return v != "" && v != "none" }

// volumeSize reads a volume size (20Gi, 200G, a number of bytes), at most
// MaxVolumeSize, rounded up to whole bytes.
func volumeSize(v any) (uint64, error) {
	size, err := inventory.ParseQuantity(inventory.Memory, fmt.Sprint(v))
	switch {
	case err != nil:
		return 0, err
	case size <= 0:
		return 0, fmt.Errorf("%v: want a size of more than 0 such as 20Gi (or pool: none for no disk)", v)
	case size > MaxVolumeSize:
		return 0, fmt.Errorf("%v is more than 64Ti, the largest volume berth creates", v)
	}
	return uint64(math.Ceil(size)), nil
}
