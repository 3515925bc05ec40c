# Course commands. Each installs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Keep BLAS/torch from oversubscribing the two cores when tests run in parallel.
export OMP_NUM_THREADS ?= 1
export PYTHONHASHSEED ?= 0
# nbgrader calls `alembic` and jupyter-book calls the kernel from PATH
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install book pdf test solutions assignments clean grade bench hub

help:
	@echo "make book         - 책을 빌드합니다 (_build/html)"
	@echo "make pdf          - 책 전체를 PDF 한 권으로 만듭니다 (_build/html/_static/lossbook.pdf)"
	@echo "make test         - 전체 테스트를 실행합니다"
	@echo "make solutions    - 정답 노트북(solutions/)을 다시 실행해 출력을 갱신합니다"
	@echo "make assignments  - 학생용 노트북(assignments/)을 nbgrader로 다시 생성합니다"
	@echo "make grade ASSIGNMENT=01_mse SUBMISSIONS=제출물.zip [JOBS=2] - 제출물을 모두 채점합니다 (graded/과제ID/)"
	@echo "make bench        - 채점 속도를 잽니다"
	@echo "make hub [STUDENTS=s2024001,s2024002] - 강의 JupyterHub를 localhost:8000에서 시작합니다 (root, 과제 배포 포함)"

$(STAMP): requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the checkout is installed editable (-e .); setuptools' warning about it is noise here
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip check
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "책이 만들어졌습니다: $(CURDIR)/_build/html/index.html"

# `make book` prints the PDF too (lossbook.book_pdf, a Sphinx extension); this says where it is,
# and fails if chromium is missing (the build then skips the PDF)
pdf: book
	$(BIN)/python -m lossbook.book_pdf _build/html

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

solutions: $(STAMP)
	$(BIN)/python -m lossbook.maintain execute-solutions

assignments: $(STAMP)
	$(BIN)/python -m lossbook.maintain generate-assignments

# `lossbook grade`: a class's submissions -> graded/ (grades.csv, report.md, feedback/)
JOBS ?= 2
grade: $(STAMP)
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "사용법: make grade ASSIGNMENT=01_mse SUBMISSIONS=제출물폴더_또는.zip [JOBS=2] [OUT=graded/과제ID]"; exit 2; }
	$(BIN)/lossbook grade $(ASSIGNMENT) $(SUBMISSIONS) --jobs $(JOBS) --out $(or $(OUT),graded/$(ASSIGNMENT))

# The course JupyterHub on localhost (deploy/jupyterhub; README "JupyterHub에서 강의 운영하기"):
# Unix users for the instructor and STUDENTS, the exchange, the course folder, every assignment
# released; then JupyterHub runs in the foreground until Ctrl+C. Needs root and configurable-http-proxy.
STUDENTS ?= s2024001,s2024002
hub: $(STAMP)
	$(BIN)/python deploy/jupyterhub/course.py hub --students $(STUDENTS)

# Timings; each line prints one table.
bench: $(STAMP)
	$(BIN)/python -m lossbook.grading.bench
	$(BIN)/python bench/book_build.py

clean:
	rm -rf _build .pytest_cache
