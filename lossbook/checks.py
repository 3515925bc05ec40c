"""Small checks used by the assignments' test cells, with Korean messages for students."""


def expect_value_error(func, *args, why=""):
    """Fail unless func(*args) raises ValueError. `why` tells the student what the input was."""
    try:
        func(*args)
    except ValueError:
        return
    except Exception as exc:  # a different error is still a wrong answer; say which
        raise AssertionError(
            f"{why} ValueError가 나야 하는데 {type(exc).__name__}이(가) 발생했습니다: {exc}"
        ) from exc
    raise AssertionError(f"{why} ValueError가 나야 하는데 아무 오류 없이 값을 돌려주었습니다.")
