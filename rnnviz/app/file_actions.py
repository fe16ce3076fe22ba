"""The File menu: sessions (open, save, recent, autosave on quit), weight import, export of all
figures and of the BPTT animation, Quit; plus the right-click export menu on every figure.

install_file_actions(window) needs only window.state, window.file_menu, window.figure_views() and
the window.closing signal. Every failure shows a message box and leaves the current work as it was:
files are checked completely before anything in AppState changes. What was written is confirmed in
the status bar; dialogs open in the folder last used for their kind of file (rnnviz.app.settings).

A session (and the autosave on quit) holds what the user saw: the trace on screen with the weights
it was computed with, plus as a draft what they had entered but not seen yet (an invalid text, a
recomputation still running), which comes back in the window when the session is opened. A last
session that can't be restored is renamed aside (last.rnnviz.bad-<time>) and the window says why.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog

from rnnviz.app.export import export_all, install_context_menu
from rnnviz.app.anim_dialog import ask_animation_options
from rnnviz.app.export_anim import Cancelled, export_animation, has_mp4
from rnnviz.app.config import config_for_weights, make_run_sequence
from rnnviz.app.session_state import apply_session, session_of  # noqa: F401  (the File menu's, and tests')
from rnnviz.app.settings import announce, remember_folder, start_folder
from rnnviz.io import paths
from rnnviz.io.session import SUFFIX, load_session, save_session
from rnnviz.io.weights import check_fits, load_weights

SESSION_FILTER = f"rnnviz session (*{SUFFIX})"
WEIGHTS_FILTER = "NumPy weights (*.npz)"
GIF_FILTER = "GIF animation (*.gif)"
EXPORT_SCALE = 2.0  # Export all figures: crisp on slides


class FileActions(QObject):
    """Owns the File menu's actions and the current session path (window.file_actions)."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.state = window, window.state
        self.session_path: Path | None = None
        m = window.file_menu
        self.actions = {}
        self._add(m, "open", "&Open session…", self.open_session, QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self.rebuild_recent)
        self._add(m, "save", "&Save session", self.save_session, QKeySequence.StandardKey.Save)
        self._add(m, "save_as", "Save session &as…", self.save_session_as, QKeySequence.StandardKey.SaveAs)
        m.addSeparator()
        self._add(m, "import", "&Import weights…", self.import_weights)
        m.addSeparator()
        self._add(m, "export_all", "&Export all figures…", self.export_all_figures)
        self._add(m, "export_anim", "Export &animation…", self.export_animation)
        m.addSeparator()
        self._add(m, "quit", "&Quit", window.close, "Ctrl+Q")  # StandardKey.Quit is empty on some platforms
        m.aboutToShow.connect(self.install_figure_menus)
        self.rebuild_recent()
        self.install_figure_menus()
        window.closing.connect(self.autosave)

    def _add(self, menu, key, text, slot, shortcut=None) -> QAction:
        a = QAction(text, self.window)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _=False: slot())
        menu.addAction(a)
        self.actions[key] = a
        return a

    def install_figure_menus(self) -> None:
        for v in self.window.figure_views():
            install_context_menu(v, self.window)

    def _error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.window, title, message)

    # ------------------------------------------------------------------ sessions
    def open_session(self, path: str | Path | None = None) -> bool:
        self.state.pause()  # the session's cursor must not run on as soon as it is restored
        if path is None:
            start = start_folder("sessions", self.session_path.parent if self.session_path else None)
            path, _ = QFileDialog.getOpenFileName(self.window, "Open session", start, SESSION_FILTER)
            if not path:
                return False
        try:
            apply_session(self.state, load_session(path), view_later=True)
        except ValueError as e:
            self._error("Open session", f"Could not open the session:\n{e}\n\nYour current work is unchanged.")
            return False
        self.session_path = Path(path)
        self._remember(path)
        announce(self.window, f"Opened the session {path}")
        return True

    def save_session(self) -> bool:
        if self.session_path is None:
            return self.save_session_as()
        return self._save(self.session_path)

    def save_session_as(self) -> bool:
        folder = start_folder("sessions", self.session_path.parent if self.session_path else None)
        name = self.session_path.name if self.session_path else f"untitled{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session as", str(Path(folder) / name),
                                              SESSION_FILTER)
        if not path:
            return False
        p = Path(path)
        if p.suffix.lower() != SUFFIX:
            p = p.with_name(p.name + SUFFIX)
        return self._save(p)

    def _save(self, path: Path) -> bool:
        if self.state.trace is None:
            self._error("Save session", "There is nothing to save yet: enter a valid sequence first.")
            return False
        try:
            save_session(path, session_of(self.state))
        except ValueError as e:
            self._error("Save session", f"Could not save the session:\n{e}\n\nNothing was written.")
            return False
        self.session_path = path
        self._remember(path)
        announce(self.window, f"Saved the session to {path}")
        return True

    def _remember(self, path) -> None:
        remember_folder("sessions", path)
        try:
            paths.add_recent_file(path)
        except ValueError:
            pass  # the recent list is a convenience; an unwritable settings folder must not block work
        self.rebuild_recent()

    def rebuild_recent(self) -> None:
        self.recent_menu.clear()
        files = paths.recent_files()
        for p in files:
            a = self.recent_menu.addAction(p.name)
            a.setToolTip(str(p))
            a.setData(str(p))
            a.triggered.connect(lambda _=False, q=str(p): self.open_session(q))
        if not files:
            self.recent_menu.addAction("(no recent sessions)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self._clear_recent)

    def _clear_recent(self) -> None:
        try:
            paths.clear_recent_files()
        except ValueError as e:
            self._error("Recent sessions", str(e))
        self.rebuild_recent()

    def autosave(self) -> None:
        """Save the work to the last-session file on quit (quitting must never be blocked)."""
        from rnnviz.app.last_session import autosave

        autosave(self.state)

    # ------------------------------------------------------------------ weights
    def import_weights(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import weights", start_folder("weights"),
                                                  WEIGHTS_FILTER)
            if not path:
                return False
        try:
            w = load_weights(path)
            c = self.state.config
            try:
                if w.spec.encoder_decoder == c.encoder_decoder:
                    check_fits(w, make_run_sequence(c))     # the characters first: the clearest message
                config = config_for_weights(c, w.params)  # the checks the CLI's --weights makes
            except ValueError as e:
                raise ValueError(f"{path} can't be used: {e}") from None
            self.state.set_base_params(w.params, config.radius, config=config)
        except ValueError as e:
            self._error("Import weights", f"Could not use these weights:\n{e}\n\nYour current work is unchanged.")
            return False
        remember_folder("weights", path)
        announce(self.window, f"Imported the weights of {path}: a {w.spec.title()}, n_a = {w.n_a}, "
                              f"ρ = {config.radius:.3g}")
        return True

    # ------------------------------------------------------------------ exports
    def _progress(self, title: str, n: int) -> QProgressDialog:
        d = QProgressDialog(title, "Cancel", 0, n, self.window)
        d.setWindowTitle(title)
        d.setWindowModality(Qt.WindowModality.WindowModal)
        d.setMinimumDuration(500)  # quick exports never flash a dialog
        return d

    def export_all_figures(self) -> bool:
        views = [v for v in self.window.figure_views() if v.has_figure()]
        folder = QFileDialog.getExistingDirectory(self.window, "Export all figures into", start_folder("figures"))
        if not folder:
            return False
        self.state.pause()  # the dialog lets events run: playback would move the cursor between figures
        from rnnviz.app.gains import wait_for_gains
        if not wait_for_gains(self.state, self.window):     # the whole figures, the local gains included
            announce(self.window, "Export cancelled: nothing was written")
            return False
        dlg = self._progress("Exporting figures…", 3 * len(views))

        def progress(i, n):
            dlg.setValue(i)
            QApplication.processEvents()
            return not dlg.wasCanceled()

        try:
            written = export_all(views, folder, EXPORT_SCALE, progress=progress)
            cancelled = dlg.wasCanceled()  # before close(), which sets it
        except ValueError as e:
            self._error("Export all figures", f"Could not export the figures:\n{e}")
            return False
        finally:
            dlg.close()
        remember_folder("figures", folder)
        done = f"{len(written)} files into {folder}"
        announce(self.window, f"Export cancelled after {done}" if cancelled else f"Exported {done}")
        return not cancelled

    def export_animation(self) -> bool:
        if self.state.trace is None:
            self._error("Export animation", "The animation needs a valid sequence.")
            return False
        self.state.pause()  # the dialogs let events run: playback would move the cursor
        from rnnviz.app.gains import wait_for_gains
        if not wait_for_gains(self.state, self.window):
            announce(self.window, "Export cancelled: nothing was written")
            return False
        options = ask_animation_options(self.state, self.window)
        if options is None:
            return False
        filters = GIF_FILTER + (";;MP4 video (*.mp4)" if has_mp4() else "")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export BPTT animation",
                                              str(Path(start_folder("figures")) / "bptt.gif"), filters)
        if not path:
            return False
        p = Path(path) if path.lower().endswith((".gif", ".mp4")) else Path(path + ".gif")
        dlg = self._progress("Rendering the BPTT animation…", options.max_frames)
        shown = [0.0]

        def progress(i, n):
            # events (the dialog, Cancel) ten times a second: each pass repaints the whole window
            if time.monotonic() - shown[0] >= 0.1:
                dlg.setMaximum(n)
                dlg.setValue(i)
                QApplication.processEvents()
                shown[0] = time.monotonic()
            return not dlg.wasCanceled()

        try:
            export_animation(p, self.state, options, progress)
        except Cancelled:
            announce(self.window, "Animation export cancelled; nothing was written")
            return False
        except ValueError as e:
            self._error("Export animation", f"Could not export the animation:\n{e}")
            return False
        finally:
            dlg.close()
        remember_folder("figures", p)
        announce(self.window, f"Saved the animation to {p}")
        return True


def install_file_actions(window) -> FileActions:
    """Fill window.file_menu and the figures' right-click menus; returns (and keeps) the FileActions."""
    window.file_actions = FileActions(window)
    return window.file_actions


def restore_last_session(window) -> bool:
    """Open the session saved on the last quit (rnnviz.app.last_session: a bad one is kept aside)."""
    from rnnviz.app.last_session import restore_last_session as restore

    return restore(window)
