#include "SessionController.h"

#include "AppSettings.h"
#include "MainWindow.h"
#include "PanelFactory.h"
#include "common/FigureTextState.h"
#include "common/InputError.h"
#include "common/Panel.h"
#include "common/Theme.h"
#include "session/SessionFile.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSaveFile>
#include <QStandardPaths>

#include <map>
#include <memory>
#include <optional>

using featurescope::InputError;
using featurescope::PanelState;
using featurescope::Session;
using featurescope::SessionFile;

namespace {

QString appDataDirectory()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir;
}

// A panel with no saved settings and no arrays (e.g. a migrated version-0 entry) is left as it is.
bool holdsState(const PanelState& state) { return !state.arrays.empty() || !state.settings.empty(); }

} // namespace

SessionController::SessionController(MainWindow* window) : QObject(window), m_window(window)
{
    m_prompt = [this](const QString& question) {
        return QMessageBox::question(m_window, tr("Restore session"), question,
                                     QMessageBox::Yes | QMessageBox::No) == QMessageBox::Yes;
    };
    m_loadJob = new BackgroundJob(tr("Opening a session"), this);
    m_saveJob = new BackgroundJob(tr("Saving the session"), this);
    connect(m_loadJob, &BackgroundJob::finished, this, &SessionController::onLoaded);
    connect(m_saveJob, &BackgroundJob::finished, this, &SessionController::onSaved);
    connect(&m_autosave, &QTimer::timeout, this, [this] { saveSessionInBackground(autosavePath(m_slot), true); });
    updateTitle();
}

// A save still running finishes writing (its work ignores cancel); nothing is delivered to the closing window.
SessionController::~SessionController()
{
    m_loadJob->abandon();
    m_saveJob->abandon();
}

QString SessionController::autosavePath(int slot)
{
    return appDataDirectory() + (slot == 0 ? QStringLiteral("/autosave.fss") : QStringLiteral("/autosave-%1.fss").arg(slot));
}

QString SessionController::runningMarkerPath(int slot)
{
    return appDataDirectory() + (slot == 0 ? QStringLiteral("/running") : QStringLiteral("/running-%1").arg(slot));
}

QString SessionController::slotLockPath(int slot) { return appDataDirectory() + QStringLiteral("/slot-%1.lock").arg(slot); }

void SessionController::installMenu(QMenu* fileMenu, QAction* before)
{
    auto add = [&](const QString& text, const QKeySequence& shortcut, const QString& tip, auto slot) {
        auto* action = new QAction(text, fileMenu);
        action->setShortcut(shortcut);
        action->setToolTip(tip);
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, slot);
        fileMenu->insertAction(before, action);
        return action;
    };
    add(tr("&New Session"), QKeySequence::New, tr("Reset every panel to its defaults (the current state is autosaved)"),
        [this] {
            const QString error = newSession();
            if (!error.isEmpty())
                showError(error);
        });
    add(tr("&Open Session…"), QKeySequence(Qt::CTRL | Qt::Key_O), tr("Open a saved session (.fss)"),
        &SessionController::chooseAndOpen);
    m_recentMenu = new QMenu(tr("Recent &Sessions"), fileMenu);
    connect(m_recentMenu, &QMenu::aboutToShow, this, &SessionController::rebuildRecentMenu);
    fileMenu->insertMenu(before, m_recentMenu);
    add(tr("&Save Session"), QKeySequence(Qt::CTRL | Qt::Key_S),
        tr("Save every panel's parameters, weights and selection, the theme and the current panel"),
        &SessionController::save);
    add(tr("Save Session &As…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), tr("Save the session under a new name"),
        &SessionController::saveAs);
    fileMenu->insertSeparator(before);
    rebuildRecentMenu();
}

void SessionController::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = AppSettings::recentSessions();
    for (const QString& path : recent) {
        QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] {
            openSessionInBackground(path);
        });
        action->setToolTip(path);
        action->setStatusTip(path);
        action->setEnabled(QFileInfo::exists(path));
    }
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [] { AppSettings::setRecentSessions({}); });
    }
}

void SessionController::startup()
{
    m_running = true;
    // The first free slot is ours. A slot whose lock is free but whose marker exists belonged to an instance that
    // died: ours is offered for restore, and so is the newest such slot another instance left.
    m_slot = -1;
    int crashed = -1;
    for (int slot = 0; slot < kSlots; ++slot) {
        auto lock = std::make_unique<QLockFile>(slotLockPath(slot));
        lock->setStaleLockTime(0); // stale only when its process is gone, however long it ran
        if (!lock->tryLock(0))
            continue; // a running instance owns it
        const bool died = QFileInfo::exists(runningMarkerPath(slot)) && QFileInfo::exists(autosavePath(slot));
        if (died && (crashed < 0 || QFileInfo(autosavePath(slot)).lastModified() >
                                        QFileInfo(autosavePath(crashed)).lastModified()))
            crashed = slot;
        if (m_slot < 0) {
            m_slot = slot;
            m_slotLock = std::move(lock);
        }
    }
    if (m_slot < 0) {
        m_slot = kSlots - 1; // more instances than slots: share the last one rather than refuse to start
        m_slotLock.reset();
    }
    if (crashed >= 0) {
        const QString autosave = autosavePath(crashed);
        const QString when = QFileInfo(autosave).lastModified().toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        if (crashed != m_slot)
            QFile::remove(runningMarkerPath(crashed)); // asked once; its autosave stays on disk
        if (m_prompt(tr("featurescope did not close cleanly last time. Restore the session autosaved at %1?").arg(when))) {
            const QString error = openSession(autosave);
            if (!error.isEmpty())
                showError(error);
            setCurrentPath(QString()); // the autosave is not the user's file: Save asks for a name
        }
    }
    const QString marker = runningMarkerPath(m_slot);
    const QString autosave = autosavePath(m_slot);
    // Saves killed mid-write leave their temporary files (the session itself is intact): tidy them.
    const QFileInfo autosaveInfo(autosave);
    for (const QString& stale : autosaveInfo.dir().entryList({autosaveInfo.fileName() + QStringLiteral(".tmp-*")}, QDir::Files))
        QFile::remove(autosaveInfo.dir().filePath(stale));
    QSaveFile file(marker);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QByteArray::number(QCoreApplication::applicationPid()));
        file.commit();
    }
    restartAutosaveTimer();
}

void SessionController::shutdown()
{
    // Only a session that started (the real application, not a window made by a test) autosaves on exit.
    if (!m_running)
        return;
    m_running = false;
    m_autosave.stop();
    waitForBackgroundWork();
    const QString error = saveSession(autosavePath(m_slot));
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    QFile::remove(runningMarkerPath(m_slot));
    m_slotLock.reset();
}

void SessionController::restartAutosaveTimer()
{
    const int minutes = AppSettings::autosaveIntervalMinutes();
    if (minutes <= 0) {
        m_autosave.stop();
        return;
    }
    m_autosave.start(minutes * 60 * 1000);
}

Session SessionController::captureSession() const
{
    Session session;
    session.appVersion = QCoreApplication::applicationVersion().toStdString();
    session.theme = Theme::name(Theme::current()).toStdString();
    if (Panel* current = m_window->currentPanel())
        session.currentPanel = current->panelId().toStdString();
    for (const QString& id : PanelFactory::panelIds())
        if (Panel* panel = m_window->panel(id)) {
            panel->saveState(session.panels[id.toStdString()]);
            FigureTextState::save(panel, session.panels[id.toStdString()]);
        }
    return session;
}

QString SessionController::applySession(const Session& session, const QString& sourceName)
{
    const std::string source = sourceName.toStdString();
    std::optional<Theme::Id> theme;
    if (!session.theme.empty()) {
        theme = Theme::fromName(QString::fromStdString(session.theme));
        if (!theme)
            return QString::fromStdString(source + ": unknown theme '" + session.theme + "'");
    }
    const QString current = QString::fromStdString(session.currentPanel);
    if (!current.isEmpty() && !PanelFactory::panelIds().contains(current))
        return QString::fromStdString(source + ": unknown current panel '" + session.currentPanel + "'");

    // Restore panel by panel, keeping each panel's previous state so a refusal rolls everything back.
    std::vector<std::pair<Panel*, PanelState>> restored;
    for (const auto& [id, state] : session.panels) {
        Panel* panel = m_window->panel(QString::fromStdString(id));
        if (!panel || !holdsState(state))
            continue; // a panel this build does not have, or nothing saved for it
        PanelState previous;
        panel->saveState(previous);
        try {
            panel->restoreState(state);
            FigureTextState::restore(panel, state);
        } catch (const InputError& error) {
            for (auto it = restored.rbegin(); it != restored.rend(); ++it) {
                try {
                    it->first->restoreState(it->second);
                } catch (const InputError&) {
                    // its own saved state: cannot fail, and there is nothing better to do
                }
            }
            return QString::fromStdString(source + ": " + error.what());
        }
        restored.emplace_back(panel, std::move(previous));
    }
    if (theme)
        m_window->setTheme(*theme);
    if (!current.isEmpty())
        m_window->showPanel(current);
    return {};
}

QString SessionController::openSession(const QString& path)
{
    Session session;
    try {
        session = SessionFile::load(path.toStdString());
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    const QString error = applySession(session, path);
    if (!error.isEmpty())
        return error;
    setCurrentPath(path);
    AppSettings::addRecentSession(path);
    Q_EMIT statusMessage(session.loadedVersion < SessionFile::kVersion
                             ? tr("Opened %1 (migrated from session format version %2)")
                                   .arg(QFileInfo(path).fileName())
                                   .arg(session.loadedVersion)
                             : tr("Opened %1").arg(QFileInfo(path).fileName()));
    return {};
}

void SessionController::openSessionInBackground(const QString& path)
{
    if (m_loadJob->isRunning())
        return;
    m_loadingPath = path;
    Q_EMIT statusMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    // Panels may read files their state names (an imported activations file) on the same worker thread.
    std::map<std::string, QPointer<Panel>> panels;
    for (const QString& id : PanelFactory::panelIds())
        panels[id.toStdString()] = m_window->panel(id);
    m_loaded.reset();
    m_loadJob->start([this, path, panels](const featurescope::ProgressReporter&) {
        auto session = std::make_shared<Session>(SessionFile::load(path.toStdString()));
        for (const auto& [id, state] : session->panels)
            if (const auto it = panels.find(id); it != panels.end() && it->second)
                it->second->preloadState(state);
        m_loadJob->deliver([this, session] { m_loaded = session; });
    });
}

void SessionController::onLoaded(BackgroundJob::Outcome outcome, const QString& loadError)
{
    QString error = loadError;
    if (outcome == BackgroundJob::Outcome::Succeeded && m_loaded)
        error = applySession(*m_loaded, m_loadingPath);
    m_loaded.reset();
    if (outcome == BackgroundJob::Outcome::Cancelled)
        return;
    if (!error.isEmpty()) {
        showError(error);
        return;
    }
    setCurrentPath(m_loadingPath);
    AppSettings::addRecentSession(m_loadingPath);
    Q_EMIT statusMessage(tr("Opened %1").arg(QFileInfo(m_loadingPath).fileName()));
}

QString SessionController::saveSession(const QString& path)
{
    try {
        SessionFile::save(path.toStdString(), captureSession());
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    if (path != autosavePath(m_slot)) {
        setCurrentPath(path);
        AppSettings::addRecentSession(path);
    }
    return {};
}

void SessionController::saveSessionInBackground(const QString& path, bool autosave)
{
    if (m_saveJob->isRunning()) {
        if (!autosave) // a user's save must not be lost behind an autosave: wait for the running one
            m_saveJob->waitForFinished();
        else
            return;
    }
    // Capturing copies the panels' state on the GUI thread (fast: copies of arrays); writing runs on a worker.
    auto session = std::make_shared<Session>(captureSession());
    m_savingPath = path;
    m_savingAutosave = autosave;
    m_saveJob->start([session, path](const featurescope::ProgressReporter&) { SessionFile::save(path.toStdString(), *session); });
}

void SessionController::onSaved(BackgroundJob::Outcome outcome, const QString& error)
{
    if (outcome != BackgroundJob::Outcome::Succeeded) {
        if (m_savingAutosave)
            Q_EMIT statusMessage(tr("Autosave failed: %1").arg(error));
        else
            showError(error);
        return;
    }
    if (m_savingAutosave) {
        Q_EMIT statusMessage(tr("Autosaved"));
        return;
    }
    setCurrentPath(m_savingPath);
    AppSettings::addRecentSession(m_savingPath);
    Q_EMIT statusMessage(tr("Saved %1").arg(QFileInfo(m_savingPath).fileName()));
}

void SessionController::waitForBackgroundWork()
{
    m_loadJob->waitForFinished();
    m_saveJob->waitForFinished();
}

QString SessionController::newSession()
{
    // The state being replaced stays in the autosave file, so "New" never loses work.
    if (const QString error = saveSession(autosavePath(m_slot)); !error.isEmpty())
        Q_EMIT statusMessage(tr("Autosave failed: %1").arg(error));
    // Defaults are whatever a freshly made panel holds: build one, take its state, restore it into the real one.
    Session defaults;
    for (const QString& id : PanelFactory::panelIds()) {
        std::unique_ptr<Panel> fresh(PanelFactory::create(id, nullptr));
        if (fresh)
            fresh->saveState(defaults.panels[id.toStdString()]);
    }
    const QString error = applySession(defaults, tr("new session"));
    if (!error.isEmpty())
        return error;
    setCurrentPath(QString());
    return {};
}

void SessionController::chooseAndOpen()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open Session"), AppSettings::lastOpenDirectory(),
                                                      tr("featurescope sessions (*.fss);;All files (*)"));
    if (path.isEmpty())
        return;
    AppSettings::setLastOpenDirectory(QFileInfo(path).absolutePath());
    openSessionInBackground(path);
}

void SessionController::save()
{
    if (m_path.isEmpty())
        saveAs();
    else
        saveSessionInBackground(m_path, false);
}

void SessionController::saveAs()
{
    const QString start = m_path.isEmpty() ? AppSettings::lastOpenDirectory() + QStringLiteral("/session.fss") : m_path;
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save Session As"), start,
                                                tr("featurescope sessions (*.fss)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".fss");
    AppSettings::setLastOpenDirectory(QFileInfo(path).absolutePath());
    saveSessionInBackground(path, false);
}

void SessionController::setCurrentPath(const QString& path)
{
    m_path = path;
    updateTitle();
}

void SessionController::updateTitle()
{
    const QString name = m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
    m_window->setWindowTitle(tr("%1 \u2014 featurescope").arg(name));
}

void SessionController::showError(const QString& error)
{
    Q_EMIT statusMessage(error);
    QMessageBox::warning(m_window, tr("Session"), error);
}
