package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"attractor/saved"
)

// Scheduler is what a sweep needs of Slurm; SlurmCLI shells out to the
// standard commands, tests use a fake.
type Scheduler interface {
	// Submit submits a batch script file and returns the job id.
	Submit(ctx context.Context, script string) (string, error)
	// Queue returns the state of every array task of the job still in the
	// queue (PENDING, RUNNING, …).
	Queue(ctx context.Context, jobID string) (map[int]string, error)
	// Finished returns the final state and exit code of the job's array
	// tasks that the scheduler still remembers.
	Finished(ctx context.Context, jobID string) (map[int]TaskState, error)
	// Cancel cancels the job.
	Cancel(ctx context.Context, jobID string) error
}

// TaskState is an array task's state as Slurm reports it.
type TaskState struct {
	State    string // COMPLETED, FAILED, TIMEOUT, …
	ExitCode string // "0:0"
}

// SlurmCLI is a Scheduler using sbatch, squeue, sacct (or, without
// accounting, scontrol) and scancel from PATH.
type SlurmCLI struct{}

func slurmRun(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Submit runs sbatch --parsable script and parses "jobid[;cluster]".
func (SlurmCLI) Submit(ctx context.Context, script string) (string, error) {
	out, err := slurmRun(ctx, "sbatch", "--parsable", script)
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(out)
	if i := strings.IndexByte(id, ';'); i >= 0 {
		id = id[:i]
	}
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job id", out)
	}
	return id, nil
}

// Queue runs squeue -h -r -j ID -o '%i|%T' (one line per array task).
func (SlurmCLI) Queue(ctx context.Context, jobID string) (map[int]string, error) {
	out, err := slurmRun(ctx, "squeue", "-h", "-r", "-j", jobID, "-o", "%i|%T")
	if err != nil {
		// squeue fails with "Invalid job id" once the job has left the system.
		if strings.Contains(err.Error(), "Invalid job id") {
			return map[int]string{}, nil
		}
		return nil, err
	}
	return parseTaskLines(out, jobID, func(f []string) string { return f[1] }), nil
}

// Finished runs sacct -j ID -X -n -P -o JobID,State,ExitCode and, when
// accounting storage is disabled, falls back to scontrol -o show job ID
// (which remembers tasks for MinJobAge).
func (SlurmCLI) Finished(ctx context.Context, jobID string) (map[int]TaskState, error) {
	out, err := slurmRun(ctx, "sacct", "-j", jobID, "-X", "-n", "-P", "-o", "JobID,State,ExitCode")
	if err == nil {
		res := map[int]TaskState{}
		for t, f := range parseTaskFields(out, jobID) {
			if len(f) >= 3 {
				res[t] = TaskState{State: strings.Fields(f[1] + " ")[0], ExitCode: f[2]}
			}
		}
		if len(res) > 0 {
			return res, nil
		}
	}
	out, err2 := slurmRun(ctx, "scontrol", "-o", "show", "job", jobID)
	if err2 != nil {
		return nil, errors.Join(err, err2)
	}
	return parseScontrol(out), nil
}

// Cancel runs scancel ID.
func (SlurmCLI) Cancel(ctx context.Context, jobID string) error {
	_, err := slurmRun(ctx, "scancel", jobID)
	return err
}

// parseTaskFields splits "JOB_TASK|…" lines by task, skipping ranges such
// as "12_[3-9%2]" and lines of other jobs.
func parseTaskFields(out, jobID string) map[int][]string {
	res := map[int][]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), "|")
		if len(f) < 2 {
			continue
		}
		job, task, ok := strings.Cut(f[0], "_")
		if !ok || job != jobID {
			continue
		}
		t, err := strconv.Atoi(task)
		if err != nil {
			continue
		}
		res[t] = f
	}
	return res
}

func parseTaskLines(out, jobID string, val func([]string) string) map[int]string {
	res := map[int]string{}
	for t, f := range parseTaskFields(out, jobID) {
		res[t] = val(f)
	}
	return res
}

// parseScontrol reads ArrayTaskId, JobState and ExitCode from the one-line
// records of scontrol -o show job.
func parseScontrol(out string) map[int]TaskState {
	res := map[int]TaskState{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		kv := map[string]string{}
		for _, w := range strings.Fields(sc.Text()) {
			if k, v, ok := strings.Cut(w, "="); ok {
				kv[k] = v
			}
		}
		t, err := strconv.Atoi(kv["ArrayTaskId"])
		if err != nil {
			continue
		}
		res[t] = TaskState{State: kv["JobState"], ExitCode: kv["ExitCode"]}
	}
	return res
}

// SlurmOptions configures a job array.
type SlurmOptions struct {
	Partition  string // --partition (empty: the default)
	Time       string // --time, e.g. "01:00:00"
	Mem        string // --mem, e.g. "2G"
	Pack       int    // networks per array task (default 10)
	MaxRunning int    // the %M of --array (0: no limit)
	CPUs       int    // --cpus-per-task and workers per task (default 1)
	// Binary is the absolute path of the attractor executable the tasks
	// run; Args are put before "sweep" (tests re-execute their binary).
	Binary string
	Args   []string
	// Env is exported at the top of the batch script.
	Env map[string]string
}

// Submission is one submitted job array of a sweep (DIR/slurm/NAME/).
type Submission struct {
	Name      string  `json:"name"`
	JobID     string  `json:"job_id"`
	Tasks     [][]int `json:"tasks"` // network indices of each array task
	Script    string  `json:"script"`
	Submitted string  `json:"submitted"`
}

// LogPath returns the output file of an array task.
func (s *Sweep) LogPath(sub *Submission, task int) string {
	return filepath.Join(s.Dir, "slurm", sub.Name, "logs", fmt.Sprintf("%s_%d.out", sub.JobID, task))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Submit writes a batch script for the networks that have no result yet,
// packed opt.Pack per array task, and submits it as one job array
// (--array=0-(K-1)%M). Each task runs `attractor sweep run-task DIR
// --submission NAME --index $SLURM_ARRAY_TASK_ID`. It returns nil and no
// error when every network is done.
func (s *Sweep) Submit(ctx context.Context, sch Scheduler, opt SlurmOptions) (*Submission, error) {
	if opt.Pack <= 0 {
		opt.Pack = 10
	}
	opt.CPUs = max(1, opt.CPUs)
	if opt.Binary == "" {
		return nil, errors.New("no binary to run in the batch script")
	}
	var pending []int
	for i := 0; i < s.Spec.Len(); i++ {
		if _, err := s.ReadResult(i, false); err != nil {
			pending = append(pending, i)
		}
	}
	if len(pending) == 0 {
		return nil, nil
	}
	sub := &Submission{Submitted: time.Now().UTC().Format(time.RFC3339)}
	// Strided packs: task t gets pending networks t, t+K, t+2K, … (K
	// tasks). Neighbouring networks of a grid differ along its fastest
	// axis (often a delay, which sets the cost); striding mixes the costs
	// so that the tasks of an array take about equally long, which is what
	// a packed array needs to keep up with the local pool's dynamic
	// scheduling.
	nTasks := (len(pending) + opt.Pack - 1) / opt.Pack
	sub.Tasks = make([][]int, nTasks)
	for k, idx := range pending {
		sub.Tasks[k%nTasks] = append(sub.Tasks[k%nTasks], idx)
	}
	base := filepath.Join(s.Dir, "slurm")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		sub.Name = fmt.Sprintf("%03d", n)
		if err := os.Mkdir(filepath.Join(base, sub.Name), 0o755); err == nil {
			break
		} else if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
	}
	subDir := filepath.Join(base, sub.Name)
	if err := os.MkdirAll(filepath.Join(subDir, "logs"), 0o755); err != nil {
		return nil, err
	}
	absDir, err := filepath.Abs(s.Dir)
	if err != nil {
		return nil, err
	}
	array := fmt.Sprintf("0-%d", len(sub.Tasks)-1)
	if opt.MaxRunning > 0 {
		array += fmt.Sprintf("%%%d", opt.MaxRunning)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	name := s.Spec.Name
	if name == "" {
		name = s.Spec.Task
	}
	fmt.Fprintf(&b, "#SBATCH --job-name=sweep-%s\n", strings.Map(func(r rune) rune {
		if r == ' ' || r == '\'' || r == '"' {
			return '_'
		}
		return r
	}, name))
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(absDir, "slurm", sub.Name, "logs", "%A_%a.out"))
	fmt.Fprintf(&b, "#SBATCH --open-mode=append\n")
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n", opt.CPUs)
	for _, kv := range [][2]string{{"partition", opt.Partition}, {"time", opt.Time}, {"mem", opt.Mem}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", kv[0], kv[1])
		}
	}
	fmt.Fprintf(&b, "set -eu\n")
	for _, k := range sortedKeys(opt.Env) {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(opt.Env[k]))
	}
	fmt.Fprintf(&b, "echo \"task $SLURM_ARRAY_TASK_ID of job ${SLURM_ARRAY_JOB_ID:-?} on $(hostname) at $(date -u +%%FT%%TZ)\"\n")
	args := []string{shellQuote(opt.Binary)}
	for _, a := range opt.Args {
		args = append(args, shellQuote(a))
	}
	args = append(args, "sweep", "run-task", shellQuote(absDir), "--submission", sub.Name,
		"--index", `"$SLURM_ARRAY_TASK_ID"`, "--workers", strconv.Itoa(opt.CPUs))
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	sub.Script = filepath.Join(subDir, "job.sh")
	if err := saved.WriteFileAtomic(sub.Script, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	}, 0o755); err != nil {
		return nil, err
	}
	// The task list must exist before any task starts.
	if err := writeJSONFile(filepath.Join(subDir, "submission.json"), sub); err != nil {
		return nil, err
	}
	id, err := sch.Submit(ctx, sub.Script)
	if err != nil {
		return nil, err
	}
	sub.JobID = id
	if err := writeJSONFile(filepath.Join(subDir, "submission.json"), sub); err != nil {
		return nil, err
	}
	return sub, nil
}

// Submissions returns the sweep's submissions in order.
func (s *Sweep) Submissions() ([]*Submission, error) {
	ents, err := os.ReadDir(filepath.Join(s.Dir, "slurm"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Submission
	for _, e := range ents {
		sub, err := s.Submission(e.Name())
		if err != nil {
			continue
		}
		out = append(out, sub)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// Submission reads submission name.
func (s *Sweep) Submission(name string) (*Submission, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, "slurm", name, "submission.json"))
	if err != nil {
		return nil, err
	}
	var sub Submission
	if err := json.Unmarshal(b, &sub); err != nil {
		return nil, fmt.Errorf("submission %s: %w", name, err)
	}
	return &sub, nil
}

// RunTask trains the networks of one array task of a submission with
// opt.Workers workers (opt.Indices is replaced).
func (s *Sweep) RunTask(ctx context.Context, submission string, task int, opt RunOptions) (Progress, error) {
	sub, err := s.Submission(submission)
	if err != nil {
		return Progress{}, err
	}
	if task < 0 || task >= len(sub.Tasks) {
		return Progress{}, fmt.Errorf("submission %s has tasks 0 … %d, not %d", submission, len(sub.Tasks)-1, task)
	}
	opt.Indices = sub.Tasks[task]
	return s.Run(ctx, opt)
}

// TaskReport describes an array task that failed or ended with networks
// missing.
type TaskReport struct {
	Submission string
	JobID      string
	Task       int
	State      string // Slurm's final state, or "" when it no longer knows
	ExitCode   string
	Missing    []int  // networks of the task without a result
	Log        string // the task's output file
	LastLine   string // its last line
}

// SlurmStatus is the state of a sweep's job arrays.
type SlurmStatus struct {
	Queued map[string]int // array tasks in the queue by state
	Failed []TaskReport
}

// failedStates are Slurm's final states of a task that did not finish.
var failedStates = map[string]bool{"FAILED": true, "TIMEOUT": true, "OUT_OF_MEMORY": true, "NODE_FAIL": true,
	"CANCELLED": true, "BOOT_FAIL": true, "PREEMPTED": true, "DEADLINE": true}

// SlurmState asks the scheduler about every submission: tasks still
// queued, and tasks that failed or left the queue with networks missing
// (with their log files).
func (s *Sweep) SlurmState(ctx context.Context, sch Scheduler) (SlurmStatus, error) {
	st := SlurmStatus{Queued: map[string]int{}}
	subs, err := s.Submissions()
	if err != nil {
		return st, err
	}
	for _, sub := range subs {
		if sub.JobID == "" {
			continue
		}
		q, err := sch.Queue(ctx, sub.JobID)
		if err != nil {
			return st, err
		}
		for _, state := range q {
			st.Queued[state]++
		}
		fin, _ := sch.Finished(ctx, sub.JobID)
		for t, idx := range sub.Tasks {
			if _, queued := q[t]; queued {
				continue
			}
			var missing []int
			for _, i := range idx {
				if _, err := s.ReadResult(i, false); err != nil {
					missing = append(missing, i)
				}
			}
			fs := fin[t]
			if len(missing) == 0 && !failedStates[fs.State] {
				continue
			}
			if len(missing) == 0 && fs.State == "CANCELLED" {
				continue // cancelled after its work was done
			}
			tr := TaskReport{Submission: sub.Name, JobID: sub.JobID, Task: t, State: fs.State, ExitCode: fs.ExitCode,
				Missing: missing, Log: s.LogPath(sub, t)}
			tr.LastLine = lastLine(tr.Log)
			st.Failed = append(st.Failed, tr)
		}
	}
	return st, nil
}

// Wait polls the queue every poll until the submission's tasks have all
// left it, or ctx ends.
func (s *Sweep) Wait(ctx context.Context, sch Scheduler, sub *Submission, poll time.Duration, progress func(queued int)) error {
	for {
		q, err := sch.Queue(ctx, sub.JobID)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(len(q))
		}
		if len(q) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

func lastLine(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
