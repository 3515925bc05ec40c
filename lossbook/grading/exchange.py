"""Returning the Korean feedback to the students through nbgrader's exchange, as
`nbgrader release_feedback` does, so that `nbgrader fetch_feedback` and the Assignments tab of
JupyterLab find it.

nbgrader's submit writes a random `submission_secret.txt` into the student's submission (and
into the student's own cache); collect copies it into `submitted/STUDENT/ASSIGNMENT/`. The
feedback of notebook NB is published as `EXCHANGE/COURSE/feedback/md5(secret + NB).html`
(nbgrader.utils.notebook_hash), in a folder the students can enter but not list (0711): only
the student who holds the secret finds their page. `lossbook grade` keeps each graded
submission's secret beside it (OUT/submitted/STUDENT/ASSIGNMENT/submission_secret.txt) and its
feedback in OUT/feedback/STUDENT/ASSIGNMENT/NB.html.
"""

import os
import pwd
import re
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import notebook_hash

SECRET = "submission_secret.txt"
# what nbgrader's submit writes (secrets.token_hex(64)); anything else was not made by nbgrader
SECRET_FORM = re.compile(r"[0-9a-f]{128}")


class ExchangeError(Exception):
    """The feedback cannot be released (Korean message)."""


def course_settings(course_dir):
    """(course id, exchange root) of an nbgrader course folder's nbgrader_config.py."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(course_dir) / "nbgrader_config.py"
    if not path.is_file():
        raise ExchangeError(f"{course_dir}에 nbgrader_config.py가 없어 course id와 exchange를 알 수 없습니다.")
    config = PyFileConfigLoader(path.name, str(path.parent)).load_config()
    course_id = config.CourseDirectory.get("course_id", "")
    root = config.Exchange.get("root", "/srv/nbgrader/exchange")
    if not course_id:
        raise ExchangeError(f"{path}에 c.CourseDirectory.course_id가 없습니다.")
    return course_id, root


def release_feedback(out, assignment, course_id, exchange_root, students=None):
    """Publish OUT/feedback/STUDENT/ASSIGNMENT/*.html of every graded student with a submission
    secret; returns {student: [exchange file, ...]} and {student: Korean note} for those left out."""
    out = Path(out)
    course = Path(exchange_root) / course_id
    if not course.is_dir():
        raise ExchangeError(f"exchange에 강의 '{course_id}'가 없습니다: {course} (과제를 먼저 배포하세요).")
    target = course / "feedback"
    target.mkdir(exist_ok=True)
    # the students may enter it but not list it (nbgrader's release_feedback makes it so)
    target.chmod(stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH)
    owner = course.stat()   # run as root: the pages belong to the course's owner (the instructor)
    _own(target, owner)
    released, left_out = {}, {}
    feedback_root = out / "feedback"
    secrets = {}
    for folder in sorted(feedback_root.glob(f"*/{assignment}")):
        student = folder.parent.name
        if students is not None and student not in students:
            continue
        secret_file = out / "submitted" / student / assignment / SECRET
        if not secret_file.is_file() or secret_file.is_symlink():
            left_out[student] = "제출 비밀값(submission_secret.txt)이 없어 exchange로 돌려주지 않았습니다(허브로 제출하지 않은 제출물)."
            continue
        secret = secret_file.read_text(encoding="utf-8", errors="replace")
        if not SECRET_FORM.fullmatch(secret):   # nbgrader writes it without a newline
            left_out[student] = ("제출 비밀값(submission_secret.txt)이 nbgrader가 만든 형식(16진수 128자)이 아니어서 "
                                 "exchange로 돌려주지 않았습니다(제출물에서 고친 것으로 보입니다).")
            continue
        secrets.setdefault(secret, []).append((student, folder))
    for secret, holders in secrets.items():
        if len(holders) > 1:   # a copied secret: one student's page would replace the other's
            names = ", ".join(s for s, _ in holders)
            for student, _ in holders:
                left_out[student] = (f"같은 제출 비밀값을 가진 제출물이 여럿이라({names}) 서로의 피드백을 덮어쓰지 "
                                     "않도록 아무에게도 돌려주지 않았습니다.")
            continue
        student, folder = holders[0]
        for page in sorted(folder.glob("*.html")):
            digest = notebook_hash(secret=secret, notebook_id=page.stem)
            temporary = target / f"{digest}-tmp.html"
            shutil.copyfile(page, temporary)
            os.chmod(temporary, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
            _own(temporary, owner)
            os.replace(temporary, target / f"{digest}.html")   # atomic, as nbgrader does
            released.setdefault(student, []).append(target / f"{digest}.html")
    return released, left_out


def _own(path, owner):
    if os.geteuid() == 0:
        os.chown(path, owner.st_uid, owner.st_gid)


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, taking a hand-in only from a folder that belongs to the student it
    names. The exchange's inbound/ is writable by every student (mode 0733), so anyone can
    create `victim+01_mse+<a later time>+x` there; nbgrader's own collect only logs a warning
    and collects it as the victim's latest submission. Configured for the course folder by
    deploy/jupyterhub/course.py (`c.ExchangeFactory.collect`)."""

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        try:
            owner = pwd.getpwuid(os.lstat(path).st_uid).pw_name
        except KeyError:
            owner = None
        if owner != record["username"]:
            self.log.warning("수거하지 않습니다: %s 의 주인(%s)이 폴더 이름의 학생(%s)과 다릅니다.",
                             path, owner, record["username"])
            record = dict(record, username=None, forged=True)   # grouped apart, dropped before copying
        return record

    def copy_files(self):
        self.src_records = [r for r in self.src_records if not r.get("forged")]
        super().copy_files()
