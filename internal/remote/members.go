package remote

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The readers below take one member of an answer's JSON object, as
// ReadMembers stored it, by what the member should hold. Each treats a
// member sent as null as one not sent: servers that serialise every field
// they know say "none" that way. Their errors name the member and leave
// the caller to say whose answer was malformed.

// maxEpoch bounds the timestamps EpochTime reads: past 2^53 units a
// float64 no longer holds every whole number, and no real date is there.
const maxEpoch = 1 << 53

// Absent reports a member that was not sent, or sent as null.
func Absent(raw json.RawMessage) bool {
	return raw == nil || string(raw) == "null"
}

// String returns the string raw holds, "" when absent.
func String(name string, raw json.RawMessage) (string, error) {
	var s string
	if Absent(raw) {
		return "", nil
	}
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("%q is not a string", name)
	}
	return s, nil
}

// Strings returns the strings of the array raw holds, nil when absent or
// empty. Each element is checked on its own: into a []string,
// encoding/json would turn a null element into "" without complaint.
func Strings(name string, raw json.RawMessage) ([]string, error) {
	if Absent(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf("%q is not an array of strings", name)
	}
	if len(elems) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		var s string
		if e[0] != '"' || json.Unmarshal(e, &s) != nil {
			return nil, fmt.Errorf("%q is not an array of strings", name)
		}
		out = append(out, s)
	}
	return out, nil
}

// EpochTime returns the time raw holds as a number of units (time.Second
// or time.Millisecond) since the epoch, possibly with a fraction; the
// zero time when absent. Negative numbers and numbers of 2^53 units or
// more are out of range.
func EpochTime(name string, raw json.RawMessage, unit time.Duration) (time.Time, error) {
	if Absent(raw) {
		return time.Time{}, nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return time.Time{}, fmt.Errorf("%q is not a number", name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= maxEpoch {
		return time.Time{}, fmt.Errorf("%q is out of range", name)
	}
	whole, frac := math.Modf(f)
	perSecond := int64(time.Second / unit)
	units := int64(whole)
	return time.Unix(units/perSecond, units%perSecond*int64(unit)).Add(time.Duration(frac * float64(unit))), nil
}
