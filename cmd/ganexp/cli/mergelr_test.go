package cli

import (
	"slices"
	"testing"
)

func TestMergeLR(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"loss=x", "lr_g=0.1", "lr_d=0.1"}, []string{"loss=x", "lr=0.1"}},
		{[]string{"lr_g=0.1", "lr_d=0.2"}, []string{"lr_g=0.1", "lr_d=0.2"}},
		{[]string{"lr_g=0.1"}, []string{"lr_g=0.1"}},
	}
	for _, tt := range tests {
		if got := mergeLR(slices.Clone(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("mergeLR(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
