from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from commmatters_desktop.core.enums import PriorityStatus as S
from commmatters_desktop.core.models import Priority
from commmatters_desktop.core.services import common


def test_tab(window, demo_vault, qtbot):
    card = next(c for c in window.board.model.cards() if c.status is S.PLANNING)
    window.show_on_board(card.id)
    window.actions_.show_plan.trigger()
    window.plan.tabs.setCurrentIndex(0)
    a = window.plan.texts["problem_statement"]
    a.setFocus()
    qtbot.waitUntil(a.hasFocus)
    qtbot.keyClicks(a, " more")
    import traceback

    def changed(old, new):
        print("FOCUS", old and old.objectName(), "->", new and new.objectName())
        traceback.print_stack(limit=12)

    QApplication.instance().focusChanged.connect(changed)
    qtbot.keyClick(a, Qt.Key.Key_Tab)
    b = QApplication.focusWidget()
    print("focus now", b.objectName())
    qtbot.keyClicks(b, "typed after tab")
    print("B text:", repr(b.toPlainText()[:40]))
    qtbot.waitUntil(lambda: not b.pending, timeout=3000)
    print("B text after save:", repr(b.toPlainText()[:40]))
    with demo_vault.reading() as s:
        p = common.fetch(s, Priority, card.id)
        print("DB evidence:", repr(p.plan.evidence[:40]))
    assert b.toPlainText().endswith("typed after tab")
