package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/ganexp/ganexp"
	"io"
	"sync"
	"time"
)

// message is one line of the worker protocol: a worker writes a stream
// of them to its stdout, ending with Done.
type message struct {
	Progress *int         `json:"progress,omitempty"`
	Eval     *ganexp.Eval `json:"eval,omitempty"`
	Event    *event       `json:"event,omitempty"`
	Artifact *artifact    `json:"artifact,omitempty"`
	Done     *Outcome     `json:"done,omitempty"`
}

type artifact struct {
	Step int    `json:"step"`
	Kind string `json:"kind"`
	Data []byte `json:"data"` // base64 in JSON
}

type event struct {
	Step   int             `json:"step"`
	Kind   string          `json:"kind"`
	Detail json.RawMessage `json:"detail"`
}

// WireSink is the worker side of the protocol: a ganexp.Sink that writes JSON
// lines. Progress is sent at most every progressEvery.
type WireSink struct {
	mu       sync.Mutex
	enc      *json.Encoder
	last     time.Time
	progress int
}

const progressEvery = 200 * time.Millisecond

// NewWireSink writes messages to w.
func NewWireSink(w io.Writer) *WireSink {
	return &WireSink{enc: json.NewEncoder(w)}
}

func (s *WireSink) send(m message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enc.Encode(m); err != nil {
		return fmt.Errorf("write to parent: %w", err)
	}
	return nil
}

// Progress implements Sink.
func (s *WireSink) Progress(step int) {
	if time.Since(s.last) < progressEvery {
		return
	}
	s.last = time.Now()
	s.send(message{Progress: &step}) // a lost progress line costs nothing
}

// Eval implements Sink.
func (s *WireSink) Eval(e ganexp.Eval) error { return s.send(message{Eval: &e}) }

// Event implements Sink.
func (s *WireSink) Event(step int, kind string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", kind, err)
	}
	return s.send(message{Event: &event{Step: step, Kind: kind, Detail: b}})
}

// Artifact implements Sink.
func (s *WireSink) Artifact(step int, kind string, data []byte) error {
	return s.send(message{Artifact: &artifact{Step: step, Kind: kind, Data: data}})
}

// Done sends the final message.
func (s *WireSink) Done(o Outcome) error { return s.send(message{Done: &o}) }

// relay is the parent side: it reads a worker's messages and replays them
// into sink. It returns the worker's outcome, or nil when the stream
// ended without one (the worker died). A sink error stops the relay.
func relay(r io.Reader, sink ganexp.Sink) (*Outcome, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("bad worker message %.80q: %w", sc.Text(), err)
		}
		switch {
		case m.Progress != nil:
			sink.Progress(*m.Progress)
		case m.Eval != nil:
			if err := sink.Eval(*m.Eval); err != nil {
				return nil, err
			}
		case m.Event != nil:
			if err := sink.Event(m.Event.Step, m.Event.Kind, m.Event.Detail); err != nil {
				return nil, err
			}
		case m.Artifact != nil:
			if err := sink.Artifact(m.Artifact.Step, m.Artifact.Kind, m.Artifact.Data); err != nil {
				return nil, err
			}
		case m.Done != nil:
			return m.Done, nil
		}
	}
	return nil, sc.Err()
}
