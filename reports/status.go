package reports

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
)

// FileStatus is one database's trials by status, and how far they are.
type FileStatus struct {
	File        string
	Note        string // why there is nothing to count ("starting"), else empty
	Counts      map[ganexp.Status]int
	Trials      int
	Done, Total int64 // steps trained (planned ones for trials with a result) of planned
}

// Status counts a database's trials.
func Status(file string, rows []db.TrialRow) FileStatus {
	s := FileStatus{File: file, Counts: map[ganexp.Status]int{}, Trials: len(rows)}
	for _, r := range rows {
		s.Counts[r.Status]++
		s.Total += int64(r.StepsTotal)
		if r.Status.Done() {
			s.Done += int64(r.StepsTotal)
		} else {
			s.Done += int64(r.StepsDone)
		}
	}
	return s
}

// statusRank orders a trial's copies in several files: a result beats a
// run in progress, which beats one to run again, which beats pending.
func statusRank(s ganexp.Status) int {
	switch {
	case s.Done():
		return 3
	case s == ganexp.StatusRunning:
		return 2
	case s == ganexp.StatusFailed || s == ganexp.StatusInterrupted:
		return 1
	}
	return 0
}

// Union counts the trials of several databases (shards) once each, in
// the best state any file has them: what a merge of them would hold.
func Union(files map[string][]db.TrialRow) FileStatus {
	best := map[string]db.TrialRow{}
	for _, rows := range files {
		for _, r := range rows {
			if b, ok := best[r.Key]; !ok || statusRank(r.Status) > statusRank(b.Status) ||
				statusRank(r.Status) == statusRank(b.Status) && r.StepsDone > b.StepsDone {
				best[r.Key] = r
			}
		}
	}
	rows := make([]db.TrialRow, 0, len(best))
	for _, r := range best {
		rows = append(rows, r)
	}
	return Status("all", rows)
}

// WriteStatus writes one line per file and the union's line.
func WriteStatus(w io.Writer, files []FileStatus, all FileStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "database\ttrials")
	for _, s := range ganexp.Statuses {
		fmt.Fprintf(tw, "\t%s", s)
	}
	fmt.Fprintln(tw, "\tsteps")
	row := func(s FileStatus) {
		fmt.Fprintf(tw, "%s\t%d", s.File, s.Trials)
		for _, st := range ganexp.Statuses {
			fmt.Fprintf(tw, "\t%d", s.Counts[st])
		}
		switch {
		case s.Note != "":
			fmt.Fprintf(tw, "\t%s\n", s.Note)
		case s.Total == 0:
			fmt.Fprintln(tw, "\t-")
		default:
			fmt.Fprintf(tw, "\t%s%%\n", strconv.FormatFloat(100*float64(s.Done)/float64(s.Total), 'f', 1, 64))
		}
	}
	for _, f := range files {
		row(f)
	}
	if len(files) > 1 {
		row(all)
	}
	return tw.Flush()
}
