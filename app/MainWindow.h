#pragma once

#include <QMainWindow>
#include <QVector>

#include "common/Theme.h"

class Panel;
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
    bool isPresentationMode() const { return m_presentation; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void connectPanel(Panel* panel);
    void exportCurrentFigure();
    void copyCurrentFigure();
    QWidget* figureUnderFocus() const;
    void showAbout();
    void showShortcuts();

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
    bool m_presentation = false;
    bool m_wasFullScreen = false;
    bool m_wasMaximized = false;
};
