package inventory

import "strings"

// Enum is the closed set of words one setting takes (a basis, a same-appetite
// mode, an objective, a scope), in the order docs and messages list them. It
// is the one list of those words: the scenario reader and its checks, the
// plan's readers and the command line's flags and completions all take
// theirs from the registries below. Treat them as read-only.
type Enum[T ~string] []T

// The registries, one per setting.
var (
	Bases         = Enum[Basis]{BasisAllocation, BasisObserved, BasisMax}
	AppetiteModes = Enum[AppetiteMode]{AppetiteSoft, AppetiteHard, AppetiteOff}
	Objectives    = Enum[Objective]{ObjectivePack, ObjectiveSpread}
	FailoverModes = Enum[FailoverMode]{FailoverReserve, FailoverCheck}
	Scopes        = Enum[Scope]{ScopeHost, ScopeRack, ScopeZone}
	ShutoffRules  = Enum[ShutoffRule]{ShutoffCount, ShutoffIgnore}
	// RoleSources are the ways a guest's profile can be learned from
	// libvirt (RoleDeclared, the empty word, is written by leaving the
	// field out).
	RoleSources = Enum[RoleSource]{RoleMetadata, RolePattern, RoleInferred}
)

// Has reports whether v is one of the words.
func (e Enum[T]) Has(v T) bool {
	for _, x := range e {
		if x == v {
			return true
		}
	}
	return false
}

// Names lists the words as strings (a fresh slice).
func (e Enum[T]) Names() []string {
	out := make([]string, len(e))
	for i, x := range e {
		out[i] = string(x)
	}
	return out
}

// Or lists the words for a message: "allocation, observed or max".
func (e Enum[T]) Or() string { return OrList(e.Names()) }

// OrList joins words for a message: "a", "a or b", "a, b or c".
func OrList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
