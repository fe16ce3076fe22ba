"""A teacher's lesson file opened from the Lessons menu (refused with the page and the reason when it is
malformed), and a lesson exported as PNG slides from the window."""
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.app.drive import open_window
from tests.app.lesson_drive import check_text, start_lesson


def menu_action(w, text):
    return next(a for a in w.lessons.menu.actions() if a.text().startswith(text))


def answer_message(seen):
    """Read the message box the window shows, then press its OK button, as a user does."""
    def look():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append((box.windowTitle(), box.text()))
            box.button(QMessageBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(50, look)
    QTimer.singleShot(50, look)


def test_a_malformed_lesson_file_is_refused_with_its_page_and_reason(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot)
    bad = tmp_path / "mine.json"
    bad.write_text(json.dumps({"format": 1, "title": "Mine", "pages": [
        {"title": "Fine", "text": "L = {loss}"},
        {"title": "Broken", "text": "x", "setup": {"config": {"temperature": 0.5}}}]}), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    config = w.state.config
    seen = []
    answer_message(seen)
    menu_action(w, "Open a lesson file").trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    title, text = seen[0]
    assert title == "This lesson can't be opened"
    assert text == "mine.json, page 2 (Broken): rnnviz has no setting 'temperature' (settings: " + text.split("(settings: ")[1]
    assert w.lessons.controller.lesson is None and w.state.config == config


def test_a_teachers_lesson_file_runs(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot)
    good = tmp_path / "mine.toml"
    good.write_text('format = 1\ntitle = "My lesson"\n[[pages]]\ntitle = "Counting"\n'
                    'text = "T = {T}, L = {loss}"\nsetup = { config = { source = "0 1 2 3 0 1 2 3" }, tab = "losses" }\n',
                    encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    menu_action(w, "Open a lesson file").trigger()
    qtbot.waitUntil(lambda: w.lessons.controller.lesson is not None, timeout=5000)
    assert w.state.config.source == "0 1 2 3 0 1 2 3" and w.state.trace.seq.kind == "numbers"
    assert "T = 7" in check_text(w)


def test_export_slides_from_the_window(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "2.")
    L.controller.go(2)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "slides"))
    menu_action(w, "Export this lesson as slides").trigger()
    qtbot.waitUntil(lambda: "Wrote" in w.statusBar().currentMessage(), timeout=60000)   # the window stays responsive
    pngs = sorted((tmp_path / "slides").glob("*.png"))
    assert len(pngs) == len(L.controller.lesson.pages) == 5
    assert QImage(str(pngs[0])).size() == w.size()
    assert L.controller.index == 2                                    # back on the page it was on
    assert "Wrote 6 slides" not in w.statusBar().currentMessage() and "Wrote 5 slides" in w.statusBar().currentMessage()
    text = (tmp_path / "slides" / "slides.txt").read_text(encoding="utf-8")
    assert text.count("\n1. ") + text.startswith("1. ") <= 1 and "5. All the way back to step 1" in text


def test_exporting_from_the_window_again_removes_an_older_exports_extra_slides(qtbot, tmp_path, monkeypatch):
    """The window's export into a folder that holds a longer, older export: the older slides it did not
    write again are removed (the status bar says which), a PNG of the user's named like a slide stays."""
    from rnnviz.app.lessons.slide_files import MARK

    folder = tmp_path / "slides"
    folder.mkdir()
    old = QImage(16, 9, QImage.Format.Format_RGB32)
    old.fill(0)
    old.setText(MARK, "2. Backpropagation through time: page 9 of 9")
    for name in ("06-old.png", "09-older.png"):
        assert old.save(str(folder / name), "PNG")
    mine = QImage(16, 9, QImage.Format.Format_RGB32)
    mine.fill(0)
    assert mine.save(str(folder / "07-mine.png"), "PNG")                   # no mark: the user's
    w = open_window(qtbot, size=(1280, 720))
    start_lesson(qtbot, w, "2.")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    menu_action(w, "Export this lesson as slides").trigger()
    qtbot.waitUntil(lambda: "Wrote" in w.statusBar().currentMessage(), timeout=60000)
    assert w.statusBar().currentMessage().endswith("; removed 2 slides of an older export (06-old.png … 09-older.png)")
    names = sorted(p.name for p in folder.iterdir())
    assert "06-old.png" not in names and "09-older.png" not in names and "07-mine.png" in names
    assert len([n for n in names if n.endswith(".png")]) == 5 + 1 and "slides.txt" in names


def test_the_first_start_shows_the_lesson_list(qtbot, tmp_path, monkeypatch):
    from rnnviz.app.main_window import open_window as start
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w = start(QApplication.instance())
    qtbot.addWidget(w)
    L = w.lessons
    assert L.dock.isVisible() and L.panel.stack.currentIndex() == 0 and L.panel.list.count() >= 4
    assert L.panel.list.item(0).text().startswith("1. The forward pass")
    w.close()                                    # saves the last session
    again = start(QApplication.instance())
    qtbot.addWidget(again)
    assert not again.lessons.dock.isVisible()    # not on later starts: the work comes back as it was


def test_slides_export_shows_progress_and_cancel_stops_it(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QPushButton
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "7.")
    L.controller.go(1)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "slides"))
    menu_action(w, "Export this lesson as slides").trigger()
    dlg = L.export_dialog
    assert dlg.maximum() == len(L.controller.lesson.pages) == 7
    qtbot.waitUntil(lambda: dlg.isVisible() and dlg.value() >= 1, timeout=30000)   # the export runs in steps
    assert dlg.labelText().startswith("Exporting 7 slides of 7.")
    qtbot.mouseClick(dlg.findChild(QPushButton), Qt.MouseButton.LeftButton)           # Cancel
    qtbot.waitUntil(lambda: "Export cancelled" in w.statusBar().currentMessage(), timeout=30000)
    from shiboken6 import isValid
    assert L.exporter is None and L.export_dialog is None and (not isValid(dlg) or not dlg.isVisible())
    pngs = sorted((tmp_path / "slides").glob("*.png"))
    assert 1 <= len(pngs) < 7 and not (tmp_path / "slides" / "slides.txt").exists()
    assert f"{len(pngs)} of 7 slides written" in w.statusBar().currentMessage()
    assert L.controller.index == 1                                    # back on the page it was on
    assert all(QImage(str(p)).size() == w.size() for p in pngs)        # every file written is a whole slide
    assert L.export_action.isEnabled()


def test_a_page_with_a_long_unbroken_word_wraps_in_its_column(qtbot, tmp_path, monkeypatch):
    """A teacher's page with a long unbroken run (a URL, a row of x): the text wraps inside the lesson's
    column; the word widened the column over the views (a label can't wrap inside a word)."""
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "1.")
    width = L.dock.width()
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"format": 1, "title": "Mine", "pages": [
        {"title": "A" * 150, "text": "see https://example.org/" + "x" * 3000 + " and L = {loss}"}]}), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(mine), ""))
    menu_action(w, "Open a lesson file").trigger()
    qtbot.waitUntil(lambda: w.lessons.controller.lesson is not None and L.panel.page_title.text().startswith("A"),
                    timeout=5000)
    qtbot.wait(50)
    assert L.dock.width() <= width + 2 and w.width() == 1280
    assert L.panel.text.width() <= L.panel.scroll.viewport().width()
    assert "x" * 24 in L.panel.plain_text() and "L = " in check_text(w)


def test_a_broken_built_in_lesson_is_left_out_at_start_with_its_page_and_reason(qtbot, tmp_path, monkeypatch):
    """The built-in lessons are checked when the window starts: one that names a setting the app lacks is
    left out of the menu and the list, and the list says which file, page and why (not only a status
    message that goes after 15 s)."""
    from rnnviz.app.lessons import install
    broken = tmp_path / "09-broken.json"
    broken.write_text(json.dumps({"format": 1, "title": "9. Broken", "pages": [
        {"title": "Fine", "text": "x"}, {"title": "Hot", "text": "y", "setup": {"config": {"temperature": 2}}}]}),
        encoding="utf-8")
    real = install.builtin_paths
    monkeypatch.setattr(install, "builtin_paths", lambda: real() + [broken])
    w = open_window(qtbot, size=(1280, 720))
    L = w.lessons
    assert [le.title[:2] for le in L.lessons] == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]
    assert not any(a.text().startswith("9.") for a in L.menu.actions())
    assert "Lesson left out: 09-broken.json, page 2 (Hot): rnnviz has no setting 'temperature'" in \
        w.statusBar().currentMessage()
    L.show_list()
    lst = L.panel.list
    item = lst.item(lst.count() - 1)
    assert item.text().startswith("⚠ Left out: 09-broken.json, page 2 (Hot): rnnviz has no setting 'temperature'")
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center())
    qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center())
    assert L.controller.lesson is None                                    # nothing to start
    if lst.currentItem() is item:
        qtbot.mouseClick(L.panel.open_button, Qt.MouseButton.LeftButton)
        assert L.controller.lesson is None


def test_slides_into_a_folder_that_cant_be_made_say_why_and_keep_the_page(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "2.")
    L.controller.go(3)
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(blocker / "slides"))
    seen = []
    answer_message(seen)
    menu_action(w, "Export this lesson as slides").trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    title, text = seen[0]
    assert title == "The slides were not written" and "a file" in text and "Traceback" not in text
    assert L.controller.index == 3 and getattr(L, "exporter", None) is None and L.export_action.isEnabled()
    assert not blocker.with_name("slides").exists()


def test_turning_the_page_while_the_slides_start_doesnt_stall_the_export(qtbot, tmp_path, monkeypatch):
    """A presenter remote's PageDown in the half second before the progress dialog shows turned the page
    under the exporter, which then waited for its page forever."""
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "2.")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "slides"))
    menu_action(w, "Export this lesson as slides").trigger()
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageDown)
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: "Wrote" in w.statusBar().currentMessage(), timeout=60000)
    assert len(sorted((tmp_path / "slides").glob("*.png"))) == 5
