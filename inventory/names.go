package inventory

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxGuestNameBytes is the longest guest name apply can create: the
// guest's disk is the file NAME.qcow2 in a directory pool, and a file
// name has at most 255 bytes on Linux file systems (NAME_MAX); ".qcow2"
// takes 6 of them. (libvirt's own files, NAME.xml and NAME.log, allow
// 251.)
const MaxGuestNameBytes = 255 - len(".qcow2")

// NameError says why a guest name can never be created by apply, naming
// the rule it breaks.
type NameError struct {
	Name string
	Rule string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("guest name %q cannot be created: %s", shortName(e.Name), e.Rule)
}

// CheckGuestName returns a *NameError when name cannot name a libvirt
// domain and its disk volume, and nil when it can. The rules are what
// libvirt, QEMU and a directory storage pool accept:
//
//   - not empty, and no spaces at either end (libvirt keeps them, virsh and
//     shells lose them);
//   - valid UTF-8 without control characters, U+FFFE or U+FFFF (XML 1.0
//     cannot carry them; libvirt refuses a newline);
//   - no "/" (the QEMU driver refuses it, and the volume is a file);
//   - at most MaxGuestNameBytes bytes (the volume's file name).
func CheckGuestName(name string) error {
	rule := ""
	switch {
	case name == "":
		rule = "a name is needed"
	case !utf8.ValidString(name):
		rule = "it is not valid UTF-8"
	case len(name) > MaxGuestNameBytes:
		rule = fmt.Sprintf("it is %d bytes long, and a guest name has at most %d (its volume NAME.qcow2 is a file name of at most 255 bytes)", len(name), MaxGuestNameBytes)
	case unicode.IsSpace(first(name)) || unicode.IsSpace(last(name)):
		rule = "it begins or ends with a space"
	}
	if rule != "" {
		return &NameError{Name: name, Rule: rule}
	}
	for _, r := range name {
		switch {
		case r == '/':
			rule = `it contains "/" (libvirt refuses it in a domain name, and the volume is a file)`
		case unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF:
			rule = fmt.Sprintf("it contains the character %U, which the domain's XML cannot carry", r)
		default:
			continue
		}
		return &NameError{Name: name, Rule: rule}
	}
	return nil
}

// CheckDemandName checks the names of the count guests a demand entry
// named name makes (NAME-1 … NAME-count): the longest, NAME-count, is the
// one that can be too long.
func CheckDemandName(name string, count int) error {
	if err := CheckGuestName(name); err != nil {
		return err
	}
	return CheckGuestName(name + "-" + strconv.Itoa(max(count, 1)))
}

func first(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func last(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// shortName keeps an error readable when a name is very long.
func shortName(s string) string {
	if len(s) <= 60 {
		return s
	}
	return s[:40] + "…" + s[len(s)-12:]
}
