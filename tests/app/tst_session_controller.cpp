// SessionController against a real MainWindow: the File menu's actions, save and reopen (panels, theme, current
// panel, title, recent list), a bad or newer session leaves the window as it was (with rollback when one panel
// refuses), a version-0 session opens, and crash detection offers the autosave.
#include "AppSettings.h"
#include "FirstStartTour.h"
#include "MainWindow.h"
#include "SessionController.h"
#include "ShortcutList.h"
#include "common/ControlsScrollArea.h"
#include "common/Panel.h"
#include "common/Theme.h"
#include "panels/EnergyBoundPanel.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QShortcut>
#include <QTest>

#include <algorithm>

class TestSessionController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void menuActions();
    void saveAndReopen();
    void badSessionLeavesWindowUnchanged();
    void refusedPanelRollsBack();
    void version0Opens();
    void crashOffersAutosave();
    void instancesKeepSeparateAutosaves();
    void shortcutListIsComplete();
    void presentationHidesTheControls();
    void tourPointsAtWhatItNames();

private:
    EnergyBoundPanel* energy() { return qobject_cast<EnergyBoundPanel*>(m_window->panel(QStringLiteral("energy"))); }
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

// Help > Keyboard Shortcuts lists every shortcut the window has, the panels' buttons included (it once omitted
// Ctrl+Return, Ctrl+P, Ctrl+. and Ctrl+R).
void TestSessionController::shortcutListIsComplete()
{
    // A window-level QShortcut is listed too, with its What's This as the meaning.
    auto* extra = new QShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_K), m_window.get());
    extra->setWhatsThis(QStringLiteral("Test shortcut"));
    const QString html = ShortcutList::html(m_window.get());
    QVERIFY2(html.contains(QStringLiteral("<b>Ctrl+Alt+K</b></td><td>Test shortcut")), qPrintable(html));
    delete extra;
    QStringList keys;
    for (const QAction* action : m_window->findChildren<QAction*>())
        for (const QKeySequence& k : action->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
    for (const QAbstractButton* button : m_window->findChildren<QAbstractButton*>())
        if (!button->shortcut().isEmpty())
            keys << button->shortcut().toString(QKeySequence::NativeText);
    for (const QShortcut* shortcut : m_window->findChildren<QShortcut*>())
        for (const QKeySequence& k : shortcut->keys())
            keys << k.toString(QKeySequence::NativeText);
    QVERIFY(keys.size() >= 15);
    for (const QString& key : keys)
        QVERIFY2(html.contains(QStringLiteral("<b>") + key.toHtmlEscaped() + QStringLiteral("</b>")), qPrintable(key));
    for (const char* key : {"Ctrl+Return", "Ctrl+P", "Ctrl+.", "Ctrl+R", "F11", "F1", "Ctrl+E"})
        QVERIFY2(html.contains(QStringLiteral("<b>%1</b>").arg(QLatin1String(key))), key);
    QVERIFY(html.contains(QStringLiteral("Pause or resume training")));
}

// F11 hides the menu bar and the panels' control columns too (it once left both); Ctrl+H brings the controls back,
// F11 and Esc still work without the menu bar, and leaving restores everything.
void TestSessionController::presentationHidesTheControls()
{
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    auto controls = [&] { return m_window->findChildren<ControlsScrollArea*>(); };
    QVERIFY(controls().size() >= 2);
    auto anyVisible = [&] {
        // Visible within its panel (a panel in the background is hidden as a whole, which says nothing).
        const QList<ControlsScrollArea*> all = controls();
        return std::any_of(all.begin(), all.end(), [](QWidget* w) {
            QWidget* panel = w->parentWidget();
            while (panel && !qobject_cast<Panel*>(panel))
                panel = panel->parentWidget();
            return panel && w->isVisibleTo(panel);
        });
    };
    QVERIFY(anyVisible());
    m_window->setPresentationMode(true);
    QVERIFY(!m_window->menuBar()->isVisible());
    QVERIFY(!anyVisible());
    QAction* toggle = nullptr;
    for (QAction* action : m_window->actions())
        if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_H))
            toggle = action;
    QVERIFY2(toggle, "Ctrl+H must stay reachable while the menu bar is hidden");
    toggle->trigger();
    QVERIFY(anyVisible());
    toggle->trigger();
    QVERIFY(!anyVisible());
    m_window->setPresentationMode(false);
    QVERIFY(m_window->menuBar()->isVisible());
    QVERIFY(anyVisible());
    m_window->hide();
}

// Each card of the tour frames the control it talks about in the window, bringing its panel forward when another
// panel is shown (the cards once pointed at nothing from the energy panel); closing the tour removes the frame and
// is remembered, so the tour does not come back at the next start.
void TestSessionController::tourPointsAtWhatItNames()
{
    AppSettings::setTourShown(false);
    m_window->showPanel(QStringLiteral("energy"));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showTour();
    auto* tour = m_window->findChild<FirstStartTour*>();
    QVERIFY(tour);
    for (int page = 0; page < tour->pageCount(); ++page) {
        QWidget* highlight = m_window->findChild<QWidget*>(QStringLiteral("tourHighlight"));
        QWidget* target = nullptr;
        for (QWidget* candidate : m_window->findChildren<QWidget*>(tour->pageTarget(page)))
            if (candidate->isVisible() && !target)
                target = candidate;
        QVERIFY2(target, qPrintable(tour->pageTarget(page)));
        QVERIFY2(highlight && highlight->isVisible(), qPrintable(tour->pageTitle(page)));
        const QRect targetRect(target->mapTo(m_window.get(), QPoint(0, 0)), target->size());
        QVERIFY2(highlight->geometry().contains(targetRect.intersected(m_window->rect())), qPrintable(tour->pageTitle(page)));
        QVERIFY(!AppSettings::tourShown());
        tour->next();
    }
    QVERIFY(!m_window->findChild<QWidget*>(QStringLiteral("tourHighlight"))->isVisible());
    QVERIFY(AppSettings::tourShown());
    // Closed any other way (here its close button on the second card), it stays dismissed as well.
    AppSettings::setTourShown(false);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // the finished tour deletes itself
    m_window->showTour();
    tour = m_window->findChild<FirstStartTour*>();
    QVERIFY(tour && tour->isVisible());
    tour->next();
    QVERIFY(tour->close());
    QVERIFY(AppSettings::tourShown());
    QVERIFY(!m_window->findChild<QWidget*>(QStringLiteral("tourHighlight"))->isVisible());
    m_window->hide();
}

void TestSessionController::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // autosave and marker go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("featurescope-test"));
    QCoreApplication::setApplicationName(QStringLiteral("featurescope-session-test"));
    for (int slot = 0; slot < SessionController::kSlots; ++slot) {
        QFile::remove(SessionController::autosavePath(slot));
        QFile::remove(SessionController::runningMarkerPath(slot));
    }
    AppSettings::setRecentSessions({});
    m_window = std::make_unique<MainWindow>();
}

void TestSessionController::menuActions()
{
    SessionController controller(m_window.get());
    QMenu menu;
    QAction* last = menu.addAction(QStringLiteral("Quit"));
    controller.installMenu(&menu, last);
    QStringList texts;
    for (QAction* a : menu.actions())
        texts << a->text() + QLatin1Char('|') + a->shortcut().toString();
    QVERIFY2(texts.contains(QStringLiteral("&Open Session…|Ctrl+O")), qPrintable(texts.join(QLatin1Char(','))));
    QVERIFY(texts.contains(QStringLiteral("&Save Session|Ctrl+S")));
    QVERIFY(texts.contains(QStringLiteral("Save Session &As…|Ctrl+Shift+S")));
    QVERIFY(texts.contains(QStringLiteral("Recent &Sessions|")));
    QCOMPARE(menu.actions().last(), last); // inserted before it
    QVERIFY(m_window->windowTitle().startsWith(QStringLiteral("Untitled")));
}

void TestSessionController::saveAndReopen()
{
    SessionController controller(m_window.get());
    energy()->selectPreset(QStringLiteral("h100-sxm5"));
    m_window->setTheme(Theme::Id::Dark);
    m_window->showPanel(QStringLiteral("energy"));
    const QString path = m_dir.filePath(QStringLiteral("talk.fss"));
    QCOMPARE(controller.saveSession(path), QString());
    QVERIFY(m_window->windowTitle().startsWith(QStringLiteral("talk.fss")));
    QCOMPARE(AppSettings::recentSessions().value(0), path);

    energy()->selectPreset(QStringLiteral("v100-sxm2"));
    m_window->setTheme(Theme::Id::Light);
    m_window->showPanel(QStringLiteral("superposition"));
    QCOMPARE(controller.openSession(path), QString());
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("h100-sxm5"));
    QCOMPARE(Theme::current(), Theme::Id::Dark);
    QCOMPARE(m_window->currentPanel()->panelId(), QStringLiteral("energy"));

    // In the background too.
    energy()->selectPreset(QStringLiteral("k80"));
    controller.openSessionInBackground(path);
    controller.waitForBackgroundWork();
    QCoreApplication::sendPostedEvents();
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("h100-sxm5"));
    m_window->setTheme(Theme::Id::Light);
}

void TestSessionController::badSessionLeavesWindowUnchanged()
{
    SessionController controller(m_window.get());
    energy()->selectPreset(QStringLiteral("t4"));
    m_window->showPanel(QStringLiteral("superposition"));
    const QString path = m_dir.filePath(QStringLiteral("newer.fss"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"format":"featurescope-session","version":3,"theme":"dark","current_panel":"energy","panels":{}})");
    file.close();
    const QString error = controller.openSession(path);
    QVERIFY2(error.startsWith(path) && error.contains(QStringLiteral("newer featurescope")), qPrintable(error));
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("t4"));
    QCOMPARE(Theme::current(), Theme::Id::Light);
    QCOMPARE(m_window->currentPanel()->panelId(), QStringLiteral("superposition"));
    QVERIFY(controller.currentPath().isEmpty());
}

void TestSessionController::refusedPanelRollsBack()
{
    SessionController controller(m_window.get());
    energy()->selectPreset(QStringLiteral("t4"));
    featurescope::Session session;
    session.theme = "dark";
    energy()->saveState(session.panels["energy"]);
    session.panels["energy"].settings["preset"] = "mi300x"; // valid: restored first...
    session.panels["energy"].settings["throughput_tflops"] = 1307.4;
    session.panels["superposition"].settings = {{"controls", {{"features", -3}}}}; // ...then this one refuses
    const QString error = controller.applySession(session, QStringLiteral("x.fss"));
    QVERIFY2(error.startsWith(QStringLiteral("x.fss: superposition panel")), qPrintable(error));
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("t4")); // rolled back
    QCOMPARE(Theme::current(), Theme::Id::Light);
}

void TestSessionController::version0Opens()
{
    SessionController controller(m_window.get());
    QCOMPARE(controller.openSession(QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/sessions/v0_energy.fss")), QString());
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("h100-sxm5"));
    QCOMPARE(energy()->currentInput().bitsPerOp, 32.0);
    QCOMPARE(energy()->currentInput().utilization, 0.5);
    QCOMPARE(Theme::current(), Theme::Id::Dark);
    m_window->setTheme(Theme::Id::Light);
}

void TestSessionController::crashOffersAutosave()
{
    energy()->selectPreset(QStringLiteral("gb200"));
    {
        SessionController first(m_window.get());
        first.setRestorePrompt([](const QString&) { return false; });
        first.startup();
        QVERIFY(QFile::exists(SessionController::runningMarkerPath()));
        first.saveSessionInBackground(SessionController::autosavePath(), true); // what the timer does
        first.waitForBackgroundWork();
        // ...and the process dies here: no shutdown(), the marker stays.
    }
    energy()->selectPreset(QStringLiteral("p100-sxm2"));
    QString asked;
    SessionController second(m_window.get());
    second.setRestorePrompt([&asked](const QString& question) {
        asked = question;
        return true;
    });
    second.startup();
    QVERIFY2(asked.contains(QStringLiteral("did not close cleanly")), qPrintable(asked));
    QCOMPARE(energy()->selectedPresetId(), QStringLiteral("gb200"));
    QVERIFY(second.currentPath().isEmpty()); // Save asks for a name, never overwrites the autosave by surprise
    second.shutdown();
    QVERIFY(!QFile::exists(SessionController::runningMarkerPath()));
    QVERIFY(QFile::exists(SessionController::autosavePath()));

    // A clean exit: the next start asks nothing.
    asked.clear();
    SessionController third(m_window.get());
    third.setRestorePrompt([&asked](const QString& question) {
        asked = question;
        return true;
    });
    third.startup();
    QVERIFY(asked.isEmpty());
    third.shutdown();
}

void TestSessionController::instancesKeepSeparateAutosaves()
{
    // Two windows at once: each owns a slot, so neither overwrites the other's autosave or clears its crash marker.
    auto never = [](const QString&) { return false; };
    energy()->selectPreset(QStringLiteral("h100-sxm5"));
    SessionController first(m_window.get());
    first.setRestorePrompt(never);
    first.startup();
    auto second = std::make_unique<SessionController>(m_window.get());
    second->setRestorePrompt(never);
    second->startup();
    QVERIFY(first.slot() != second->slot());
    QVERIFY(SessionController::autosavePath(first.slot()) != SessionController::autosavePath(second->slot()));
    QVERIFY(QFile::exists(SessionController::runningMarkerPath(first.slot())));
    QVERIFY(QFile::exists(SessionController::runningMarkerPath(second->slot())));

    // The second one autosaves a different state and dies; the first keeps running.
    energy()->selectPreset(QStringLiteral("mi300x"));
    second->saveSessionInBackground(SessionController::autosavePath(second->slot()), true);
    second->waitForBackgroundWork();
    const int deadSlot = second->slot();
    second.reset(); // no shutdown(): its marker stays, its lock goes with it

    // The next window finds the dead instance's autosave and offers it (and only once).
    energy()->selectPreset(QStringLiteral("t4"));
    QString asked;
    {
        SessionController third(m_window.get());
        third.setRestorePrompt([&asked](const QString& question) {
            asked = question;
            return true;
        });
        third.startup();
        QCOMPARE(third.slot(), deadSlot);
        QVERIFY2(asked.contains(QStringLiteral("did not close cleanly")), qPrintable(asked));
        QCOMPARE(energy()->selectedPresetId(), QStringLiteral("mi300x"));
        third.shutdown();
    }
    // The first instance's state on disk was never touched by the others, and its exit clears only its own marker.
    QVERIFY(QFile::exists(SessionController::runningMarkerPath(first.slot())));
    first.shutdown();
    QVERIFY(!QFile::exists(SessionController::runningMarkerPath(first.slot())));
    asked.clear();
    SessionController fourth(m_window.get());
    fourth.setRestorePrompt([&asked](const QString& question) {
        asked = question;
        return true;
    });
    fourth.startup();
    QVERIFY2(asked.isEmpty(), qPrintable(asked));
    fourth.shutdown();
}

QTEST_MAIN(TestSessionController)
#include "tst_session_controller.moc"
