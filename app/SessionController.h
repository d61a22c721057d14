#pragma once

#include "session/Session.h"

#include "common/BackgroundJob.h"

#include <QLockFile>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

class MainWindow;
class QAction;
class QMenu;

// Sessions for the main window (issue 7): File → New / Open / Save / Save As / Recent Sessions, autosave every
// AppSettings::autosaveIntervalMinutes() and on quit, crash detection (a "running" marker removed on clean exit;
// when it is still there at start and an autosave exists, the user is offered to restore it), and the file name in
// the title bar. It uses only MainWindow's public API (panel(id), showPanel(id), setTheme(id)) and Panel's
// saveState/restoreState. Files are read and written off the GUI thread; panels are restored only after the whole
// file parsed, and if one panel refuses its state the ones already restored are rolled back, so a bad session
// leaves the window as it was.
class SessionController : public QObject {
    Q_OBJECT
public:
    explicit SessionController(MainWindow* window);
    ~SessionController() override;

    // Inserts the session actions into `fileMenu` before `before` (nullptr: at the end).
    void installMenu(QMenu* fileMenu, QAction* before);
    // At start: offers the autosave after a crash, writes the running marker, starts the autosave timer.
    void startup();
    // On clean exit: autosaves (synchronously) and removes the running marker. Does nothing unless startup() ran.
    void shutdown();

    // Synchronous forms, for the menu's dialogs, shutdown and tests. Each returns "" on success, else one line.
    QString openSession(const QString& path);
    QString saveSession(const QString& path);
    QString newSession();
    // Asynchronous forms: the file is read or written on a worker thread; errors are shown in a message box.
    void openSessionInBackground(const QString& path);
    void saveSessionInBackground(const QString& path, bool autosave);
    void waitForBackgroundWork();

    featurescope::Session captureSession() const;
    // Restores a parsed session into the window (theme, panels, current panel). "" on success.
    QString applySession(const featurescope::Session& session, const QString& sourceName);

    QString currentPath() const { return m_path; }
    // Each running instance owns one slot (a lock file), so two windows never share an autosave or a crash marker.
    // Slot 0 keeps the plain names autosave.fss and running.
    static QString autosavePath(int slot = 0);
    static QString runningMarkerPath(int slot = 0);
    static QString slotLockPath(int slot);
    static constexpr int kSlots = 8;
    int slot() const { return m_slot; }
    // Asked "restore the autosave?" after a crash; the default shows a message box. Tests replace it.
    void setRestorePrompt(std::function<bool(const QString& question)> prompt) { m_prompt = std::move(prompt); }

Q_SIGNALS:
    void statusMessage(const QString& text);

private:
    void chooseAndOpen();
    void save();
    void saveAs();
    void rebuildRecentMenu();
    void setCurrentPath(const QString& path);
    void updateTitle();
    void showError(const QString& error);
    void onLoaded(BackgroundJob::Outcome outcome, const QString& error);
    void onSaved(BackgroundJob::Outcome outcome, const QString& error);
    void restartAutosaveTimer();

    MainWindow* m_window = nullptr;
    QMenu* m_recentMenu = nullptr;
    QString m_path;
    QTimer m_autosave;
    BackgroundJob* m_loadJob = nullptr;
    std::shared_ptr<const featurescope::Session> m_loaded; // delivered by the load job before it finishes
    QString m_loadingPath;
    BackgroundJob* m_saveJob = nullptr;
    QString m_savingPath;
    bool m_savingAutosave = false;
    bool m_running = false; // between startup() and shutdown()
    int m_slot = 0;
    std::unique_ptr<QLockFile> m_slotLock; // held while running; the OS drops it if the process dies
    std::function<bool(const QString&)> m_prompt;
};
