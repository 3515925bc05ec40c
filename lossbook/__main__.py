"""`python -m lossbook check 노트북.ipynb` (a student's self-check) and `python -m lossbook grade ...`
(the instructor's grading; same as the `lossbook` command)."""
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check"]:
        from lossbook.selfcheck import main as check
        return check(argv[1:])
    try:
        from lossbook.grading.cli import main as grade
    except ImportError as exc:   # a student's install has no grading stack
        print(f"채점 명령에는 강사용 설치가 필요합니다({exc.name} 없음): pip install \"lossbook[grading]\".\n"
              "학생의 자체 점검은: python -m lossbook check 노트북.ipynb", file=sys.stderr)
        return 2
    return grade(argv)


if __name__ == "__main__":
    sys.exit(main())
