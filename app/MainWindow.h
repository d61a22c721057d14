#pragma once

#include <QMainWindow>
#include <QVector>

#include "common/Theme.h"

class DataFileOpener;
class Panel;
class SessionController;
class RecentFilesMenu;
class QMenu;
class QMessageBox;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QToolButton;
class QLabel;
class QAction;
class QActionGroup;

// The shell: a panel switcher, menus, and a status bar that shows any panel's long work with a cancel button.
// It holds no science and no panel logic.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    Panel* currentPanel() const;
    Panel* panel(const QString& id) const;
    void showPanel(const QString& id);
    void setTheme(Theme::Id id);
    void setPresentationMode(bool on);
    // The non-modal tour; each card frames the control it names. Once closed it is not shown at start again.
    void showTour();
    // The default session's Language model tab: the cached default model and SAE, trained on the first start.
    void loadDefaultLanguageModel();
    bool isPresentationMode() const { return m_presentation; }
    // The panels' control columns; presentation mode hides them (Ctrl+H shows them again).
    void setControlsShown(bool shown);

    // Files: activations, SAELens folders (by DataFileOpener::classify), read off the GUI thread.
    void openDataFile(const QString& path);
    // A file named on the command line (`featurescope FILE`): a session (.fss) through the session controller,
    // anything else as a data file.
    void openFile(const QString& path);
    DataFileOpener* fileOpener() const { return m_opener; }
    RecentFilesMenu* recentFilesMenu() const { return m_recent; }
    // The File menu, and the separator at its top before which session actions (Save / Open Session, Recent
    // Sessions) go: fileMenu()->insertAction(sessionInsertionPoint(), action).
    QMenu* fileMenu() const { return m_fileMenu; }
    SessionController* sessions() const { return m_sessions; }
    QAction* sessionInsertionPoint() const { return m_sessionInsertionPoint; }
    QString statusText() const;
    // The last file error shown (one line naming the file and the reason), for tests.
    QString lastFileError() const { return m_lastFileError; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void connectPanel(Panel* panel);
    void exportCurrentFigure();
    void copyCurrentFigure();
    void copyCurrentCaption();
    QWidget* figureUnderFocus() const;
    void showAbout();
    void showShortcuts();
    void connectFileOpener();
    void openActivationsDialog();
    void openSaeDialog();
    void exportModel();
    void showFileError(const QString& message);

    QListWidget* m_switcher = nullptr;
    QStackedWidget* m_stack = nullptr;
    QVector<Panel*> m_panels;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QLabel* m_statusText = nullptr;
    Panel* m_busyPanel = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QAction* m_presentationAction = nullptr;
    QAction* m_leavePresentation = nullptr;
    QAction* m_controlsAction = nullptr;
    class TourHighlight* m_tourHighlight = nullptr;
    DataFileOpener* m_opener = nullptr;
    RecentFilesMenu* m_recent = nullptr;
    QMenu* m_fileMenu = nullptr;
    SessionController* m_sessions = nullptr;
    QAction* m_sessionInsertionPoint = nullptr;
    QMessageBox* m_errorBox = nullptr;
    QString m_lastFileError;
    bool m_presentation = false;
    bool m_wasFullScreen = false;
    bool m_wasMaximized = false;
};
