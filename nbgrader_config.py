"""nbgrader settings for the course, used from the repository root.

solutions/   holds the instructor (source) notebooks,
assignments/ holds the student (release) notebooks generated from them.
"""
c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Student versions: the solution blocks become this line.
c.ClearSolutions.code_stub = {"python": "# 여기에 코드를 작성하세요\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "여기에 답을 작성하세요."

# Training tasks take seconds; a runaway cell must not hold up a whole class.
c.Execute.timeout = 120

# Limits per student (`lossbook grade`; lossbook/grading/limits.py). Each kernel (the student's
# and the test side's) runs in its own bubblewrap sandbox with these limits; a student who
# hits one gets a Korean line in grades.csv's problems column and on top of the feedback, and
# keeps the points of the cells that ran. Sizes: "512K", "256M", "2G"; "" or 0 turns a limit off.
# - memory: all processes of the sandbox together, with its /tmp files (a memory cgroup; the
#   kernel is stopped past it). Where cgroups cannot be made: address space per process
#   (RLIMIT_AS, allocations fail with MemoryError; a kernel with torch maps about 1 GB).
c.SandboxKernelManager.memory_limit = "2G"
# - processes and threads together (a pids cgroup; a kernel uses about 11 threads)
c.SandboxKernelManager.process_limit = 256
# - CPU seconds of all processes of the sandbox per notebook (a cpuacct cgroup; where cgroups
#   cannot be made, RLIMIT_CPU per process): past it the kernel is stopped
c.SandboxKernelManager.cpu_time_limit = 600
# - RAM-backed folders: /tmp, the working folder /home/student (beyond the copied data files), /dev/shm
c.SandboxKernelManager.tmp_size = "256M"
c.SandboxKernelManager.home_size = "256M"
c.SandboxKernelManager.shm_size = "64M"
# - output bytes per notebook, counted as they arrive: past it the rest is dropped and the cell
#   interrupted; a cell that sends twice as much has its kernel stopped (later cells: 0 points)
c.ExecutionLimits.output_limit = "4M"
# - seconds all cells of one notebook may run together (Execute.timeout is per cell); the cells
#   after it are not run (0 points)
c.ExecutionLimits.time_budget = 600
