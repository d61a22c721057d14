#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QPushButton;
class QStackedWidget;

// A short non-modal tour shown on first start: what each panel does, training, selection, export, presentation
// mode and sessions, one page each, with Back/Next/Skip. It only reports that it was closed; MainWindow remembers
// that (AppSettings::tourShown), so the dialog touches no settings itself.
class FirstStartTour : public QDialog {
    Q_OBJECT
public:
    explicit FirstStartTour(QWidget* parent = nullptr);

    int pageCount() const;
    int currentPage() const;
    QString pageTitle(int page) const;
    QString pageText(int page) const;
    // The object name of the main-window widget the page talks about ("panelSwitcher", "toyTrain", ...).
    QString pageTarget(int page) const;

public Q_SLOTS:
    void next();
    void back();
    void skip();

Q_SIGNALS:
    // Emitted once each time the tour closes, whichever way (Finish, Skip, Esc, the close button): a tour the
    // user has seen and dismissed stays away on the next start (Help > Tour opens it again).
    void tourClosed();
    // The page shown changed: frame the widget with this object name.
    void pointAt(const QString& objectName);

protected:
    void done(int result) override;
    void showEvent(QShowEvent* event) override;

private:
    void showPage(int page);

    QStringList m_titles;
    QStringList m_texts;
    QStringList m_targets;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_counter = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_next = nullptr;
    QPushButton* m_skip = nullptr;
    bool m_reported = false;
};
