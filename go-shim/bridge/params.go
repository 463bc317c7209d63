package bridge

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// Params cross the boundary as tagged JSON (rules and reasons in
// src/bridge/marshal.ts): every value is [tag, payload], because plain JSON
// cannot tell the int 1 from the float64 1.0, and plugins type-assert.
//
//   ["i", 1]  int          ["f", 1.5] float64 ("NaN", "Infinity", "-Infinity" as strings)
//   ["s", ""] string       ["b", true] bool      ["n"] nil
//   ["l", [v...]] []interface{}    ["m", [[k, v]...]] map[interface{}]interface{}

type tagged []json.RawMessage

// decodeParams gives the top level as sdk.ActionParams and everything below
// as yaml.v2 gave it to Gilbert's plugins.
func decodeParams(data []byte) (sdk.ActionParams, error) {
	var v tagged
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("bad params encoding: %w", err)
	}
	m, err := decodeValue(v)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return sdk.ActionParams{}, nil
	}
	nested, ok := m.(map[interface{}]interface{})
	if !ok {
		return nil, fmt.Errorf("params must be a map, got %T", m)
	}
	out := make(sdk.ActionParams, len(nested))
	for k, val := range nested {
		out[fmt.Sprint(k)] = val
	}
	return out, nil
}

func decodeValue(v tagged) (interface{}, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("bad params encoding: empty value")
	}
	var tag string
	if err := json.Unmarshal(v[0], &tag); err != nil {
		return nil, err
	}
	if tag == "n" {
		return nil, nil
	}
	if len(v) != 2 {
		return nil, fmt.Errorf("bad params encoding: tag %q without payload", tag)
	}
	p := v[1]
	switch tag {
	case "i":
		var n int
		err := json.Unmarshal(p, &n)
		return n, err
	case "f":
		var s string
		if json.Unmarshal(p, &s) == nil {
			return strconv.ParseFloat(s, 64)
		}
		var f float64
		err := json.Unmarshal(p, &f)
		return f, err
	case "s":
		var s string
		err := json.Unmarshal(p, &s)
		return s, err
	case "b":
		var b bool
		err := json.Unmarshal(p, &b)
		return b, err
	case "l":
		var items []tagged
		if err := json.Unmarshal(p, &items); err != nil {
			return nil, err
		}
		out := make([]interface{}, len(items))
		for i, item := range items {
			val, err := decodeValue(item)
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	case "m":
		var pairs [][2]tagged
		if err := json.Unmarshal(p, &pairs); err != nil {
			return nil, err
		}
		out := make(map[interface{}]interface{}, len(pairs))
		for _, pair := range pairs {
			k, err := decodeValue(pair[0])
			if err != nil {
				return nil, err
			}
			val, err := decodeValue(pair[1])
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad params encoding: unknown tag %q", tag)
}

// encodeTagged is a Go value in the tagged encoding.
func encodeTagged(v interface{}) Tagged {
	data, err := json.Marshal(encodeValue(v))
	if err != nil {
		data, _ = json.Marshal(encodeValue(fmt.Sprint(v)))
	}
	return Tagged(data)
}

// encodeValue is the inverse, for params a Go plugin hands to JS (RunJob,
// ActionByName factories). Any Go value is accepted: reflection covers the
// typed maps and slices a plugin may build by hand.
func encodeValue(v interface{}) interface{} {
	if v == nil {
		return []interface{}{"n"}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return []interface{}{"i", rv.Int()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return []interface{}{"i", rv.Uint()}
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []interface{}{"f", strconv.FormatFloat(f, 'g', -1, 64)}
		}
		return []interface{}{"f", f}
	case reflect.String:
		return []interface{}{"s", rv.String()}
	case reflect.Bool:
		return []interface{}{"b", rv.Bool()}
	case reflect.Slice, reflect.Array:
		items := make([]interface{}, rv.Len())
		for i := range items {
			items[i] = encodeValue(rv.Index(i).Interface())
		}
		return []interface{}{"l", items}
	case reflect.Map:
		pairs := make([]interface{}, 0, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			pairs = append(pairs, []interface{}{encodeValue(iter.Key().Interface()), encodeValue(iter.Value().Interface())})
		}
		return []interface{}{"m", pairs}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return []interface{}{"n"}
		}
		return encodeValue(rv.Elem().Interface())
	}
	return []interface{}{"s", fmt.Sprint(v)}
}
