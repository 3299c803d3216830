"""The one catalogue of words (qaudit/i18n.py, qaudit/locales/<lang>/LC_MESSAGES/qaudit.po).

Every language holds every key of the English catalogue with the same placeholders;
Armenian and Georgian texts are written in their own scripts; the guided audit
(``qaudit run``) speaks the audit's language and takes its own yes and no.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from conftest import cli_command

from qaudit import i18n
from qaudit.capture.guided.run import run_session
from qaudit.capture.guided.session import Session
from qaudit.load.audits import load_audit
from qaudit.load.form_cells import answer_words, header_labels
from qaudit.load.standards import load_standards

HERE = Path(__file__).parent
ROOT = HERE.parent
LIBRARY = load_standards(ROOT / "standards")
OTHERS = [lang for lang in i18n.LANGUAGES if lang != "en"]
SCRIPTS = {"hy": "ARMENIAN", "ka": "GEORGIAN"}
# Words that stay in Latin letters in every language: keys typed at the keyboard, names of things.
LATIN_KEPT = {
    "qaudit", "Enter", "ID", "UTF-8", "UTF", "YYYY-MM-DD", "YYYY", "MM", "DD", "VIP", "N/A", "na", "y", "n", "N",
    "Y", "g", "b", "s", "l", "q", "x", "photos", "jpg",
}  # fmt: skip


def _plain(text: str) -> str:
    """A text without its placeholders."""
    return re.sub(r"\{[^{}]*\}", " ", text)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_key_and_no_other(lang: str) -> None:
    english = set(i18n.entries("en"))
    found = set(i18n.entries(lang))
    assert english - found == set(), f"{lang} lacks these words"
    assert found - english == set(), f"{lang} has words English has not"


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_are_the_same_in_every_language(lang: str) -> None:
    english = i18n.entries("en")
    for key, text in i18n.entries(lang).items():
        assert i18n.placeholders(text) == i18n.placeholders(english[key]), (lang, key, text)


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_armenian_and_georgian_are_written_in_their_scripts(lang: str) -> None:
    script = SCRIPTS[lang]
    for key, text in i18n.entries(lang).items():
        plain = _plain(text)
        letters = [c for c in plain if c.isalpha()]
        if not letters:
            continue  # "{passed} / {total}": nothing to translate
        assert any(unicodedata.name(c, "").startswith(script) for c in letters), (key, text)
        foreign = {c for c in letters if not c.isascii() and not unicodedata.name(c, "").startswith(script)}
        assert not foreign, (key, text, foreign)  # a letter of another script typed into a word
        latin = {w for w in re.findall(r"[A-Za-z](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", plain)}
        assert latin <= LATIN_KEPT, (key, latin - LATIN_KEPT)


def test_words_fall_back_to_english_and_fill_placeholders() -> None:
    assert i18n.words("xx") == i18n.words("en") == i18n.words(None)
    assert i18n.gettext("lv", "run_saved", path="a.yaml") == "Saglabāts: a.yaml"
    assert i18n.gettext("en", "no-such-key") == "no-such-key"
    assert i18n.words("hy") is i18n.words("hy")  # read once per process


def test_catalogues_are_package_data() -> None:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = setup["package-data"]["qaudit"]
    assert "locales/*/LC_MESSAGES/*.po" in patterns
    for lang in i18n.LANGUAGES:
        assert os.path.isfile(i18n.catalogue_path(lang))


def test_forms_take_their_labels_from_the_catalogue() -> None:
    assert header_labels("lv")[:3] == ("Standarts", "Versija", "Objekts")
    assert answer_words("hy") == ("այո", "ոչ", "չի վերաբերում")
    assert answer_words("xx") == answer_words("en") == ("yes", "no", "N/A")


# --- the guided audit in every language -------------------------------------------------------------

_HEADING = re.compile(r"\d+/\d+\s+(\S+)")


def _answering(session: Session, said: list[str], yes: str, asked: list[str]) -> Callable[[str], str]:
    """Answer every question of ``session`` the way an inspector would, in its language."""
    table = i18n.words(session.lang)
    rooms = [0]

    def ask(prompt: str) -> str:
        asked.append(prompt)
        assert len(asked) < 300, said[-5:]  # a question asked again and again: its answer was refused
        if prompt == table["run_save_prompt"]:
            return yes
        if prompt.startswith(table["run_another_max"].split("{")[0]):
            return table["run_no_replies"].split(",")[-1].strip()
        if prompt.endswith(table["run_instance_label"].rsplit("}", 1)[-1]):
            rooms[0] += 1
            return f"10{rooms[0]}"
        if prompt.startswith(table["run_comment_required"].split("{")[0]):
            return "-"
        if prompt.startswith(table["run_evidence"].split("(")[0]):
            return "photos/0042.jpg"
        if prompt == table["run_prompt_none"]:
            return "101"  # the subject, the overall comment
        if not prompt.endswith("> "):
            return ""  # an item's comment
        found = next(m.group(1) for line in reversed(said) if (m := _HEADING.search(line)))
        standard = session.standard
        kind = standard.field_map[found].type if found in standard.field_map else standard.items[found].type
        return {
            "yes_no": yes,
            "scale": "5",
            "number": "1",
            "date": "2026-11-20",
            "text": "-",
        }.get(kind, "1")

    return ask


@pytest.mark.parametrize(
    ("lang", "yes"), [("hy", "այո"), ("ka", "კი"), ("lv", "j"), ("hu", "igen"), ("en", "y")]
)  # fmt: skip
@pytest.mark.parametrize("standard_id", ["hotel-room-inspection", "client-service-core"])
def test_the_guided_audit_speaks_the_audit_language(tmp_path: Path, lang: str, yes: str, standard_id: str) -> None:
    standard = LIBRARY.get(standard_id, None)
    assert standard is not None
    output = tmp_path / "visit.yaml"
    session = Session(standard, "yvn-01", "Anna", dt.date(2026, 11, 20), lang, str(output))
    said: list[str] = []
    asked: list[str] = []
    audit = run_session(session, _answering(session, said, yes, asked), said.append)
    assert audit is not None
    saved = load_audit(str(output), LIBRARY)
    assert saved.language == lang
    table = i18n.words(lang)
    shown = "\n".join(said)
    assert table["run_review"] in shown and table["run_saved"].format(path=output) in shown
    yes_no = [i.id for i in standard.items.values() if i.type == "yes_no" and i.id in saved.responses]
    assert yes_no and all(saved.responses[i].value is True for i in yes_no)  # the language's own "yes"
    if lang in SCRIPTS:
        words_asked = [p for p in asked if re.sub(r"\[[^\]]*\]|>|\s", "", p)]
        assert words_asked and all(
            any(unicodedata.name(c, "").startswith(SCRIPTS[lang]) for c in p) for p in words_asked
        ), words_asked
    if lang != "en":
        everything = shown + "\n".join(asked)
        for english in ("Type ? for help", "Save this audit", "Review", "Comment (", "answer yes or no", "Score"):
            assert english not in everything


@pytest.mark.parametrize("lang", OTHERS)
def test_an_unknown_reply_at_the_save_prompt_is_explained_in_the_audit_language(tmp_path: Path, lang: str) -> None:
    standard = LIBRARY.get("client-service-core", None)
    assert standard is not None
    session = Session(standard, "yvn-01", "Anna", dt.date(2026, 11, 20), lang, str(tmp_path / "v.yaml"))
    said: list[str] = []
    inner = _answering(session, said, "y", [])
    saves = iter(["maybe", "y"])

    def ask(prompt: str) -> str:
        return next(saves) if prompt == i18n.words(lang)["run_save_prompt"] else inner(prompt)

    assert run_session(session, ask, said.append) is not None
    explained = " ".join(i18n.gettext(lang, "run_save_unknown", reply="maybe").split())
    assert explained in " ".join(" ".join(said).split())  # wrapped at word boundaries


def test_a_latvian_session_in_a_terminal_stops_and_resumes_in_latvian(tmp_path: Path) -> None:
    command = cli_command(
        "run", "client-service-core", "--site", "yvn-01", "--inspector", "Anna",
        "--date", "2026-11-20", "--standards", str(HERE / "data" / "spec" / "standards"), "-o", "a.yaml",
        "--lang", "lv",
    )  # fmt: skip
    executable, args = command[0], command[1:]  # a real process, on a terminal
    child = pexpect.spawn(executable, args, cwd=str(tmp_path), encoding="utf-8", timeout=30)
    child.expect("Palīdzība")
    child.expect("> ")
    child.sendline("7")
    child.expect("Komentārs")
    child.sendline("")
    child.expect("> ")
    child.sendline("varbūt")
    child.expect("atbildiet jā vai nē")
    child.expect("> ")
    child.sendline("jā")
    child.expect("Komentārs")
    child.sendline("")
    child.expect("> ")
    child.sendline("q")
    child.expect("Saglabātās atbildes: 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    child = pexpect.spawn(executable, args, cwd=str(tmp_path), encoding="utf-8", timeout=30)
    child.expect("Turpinām: no iepriekšējās reizes saglabātas 2 no 5 atbildēm")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
