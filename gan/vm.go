package gan

import (
	"reflect"
	"sync"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// rewind makes a tape machine ready for its next RunAll while keeping its
// registers. gorgonia's Reset also drops every register, so each run then
// allocates all its values again: 6.5 MB per ring8-mlp step. RunAll
// itself never moves the program counter back, which is why a run without
// either does nothing. The ops reached by a tape machine overwrite their
// preallocated destinations, so a rewound machine computes exactly what a
// reset one does (TestRewindMatchesReset checks it bit for bit).
//
// gorgonia does not export the program counter; rewind sets it through
// reflection and falls back to Reset if the field is not where v0.9.18
// keeps it.
func rewind(vm G.VM) {
	v := reflect.ValueOf(vm)
	if idx := pcIndex(reflectType(vm)); idx != nil {
		pc := v.Elem().FieldByIndex(idx)
		*(*int)(unsafe.Pointer(pc.UnsafeAddr())) = 0
		return
	}
	vm.Reset()
}

var pcFields sync.Map // reflect.Type -> []int, nil when absent

// pcIndex finds the tape machine's "pc int" field, once per type.
func pcIndex(t reflect.Type) []int {
	if idx, ok := pcFields.Load(t); ok {
		return idx.([]int)
	}
	var idx []int
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		if f, ok := t.Elem().FieldByName("pc"); ok && f.Type.Kind() == reflect.Int {
			idx = f.Index
		}
	}
	pcFields.Store(t, idx)
	return idx
}

func reflectType(vm G.VM) reflect.Type { return reflect.TypeOf(vm) }
