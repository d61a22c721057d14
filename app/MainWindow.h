#pragma once

#include <QMainWindow>
#include <QVector>

class Panel;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QToolButton;
class QLabel;

// The shell: a panel switcher, menus, and a status bar that shows any panel's long work with a cancel button.
// It holds no science and no panel logic.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    Panel* currentPanel() const;
    Panel* panel(const QString& id) const;
    void showPanel(const QString& id);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void connectPanel(Panel* panel);
    void exportCurrentFigure();
    void showAbout();
    void showShortcuts();

    QListWidget* m_switcher = nullptr;
    QStackedWidget* m_stack = nullptr;
    QVector<Panel*> m_panels;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QLabel* m_statusText = nullptr;
    Panel* m_busyPanel = nullptr;
};
