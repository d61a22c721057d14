#pragma once

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QLabel;
class QPushButton;
class QStackedWidget;

// A short non-modal tour shown on first start: what each panel does, training, selection, export, presentation
// mode and sessions, one page each, with Back/Next/Skip and "Don't show again". It only reports the choice;
// MainWindow stores it (AppSettings::tourShown), so the dialog touches no settings itself.
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
    bool dontShowAgain() const;
    void setDontShowAgain(bool on);

public Q_SLOTS:
    void next();
    void back();
    void skip();

Q_SIGNALS:
    // Emitted once when the tour closes (finished, skipped or closed): whether it should stay away on the next
    // start, which is "Don't show again" when skipped or closed, and always after Finish.
    void tourClosed(bool dontShowAgain);
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
    QCheckBox* m_dontShow = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_next = nullptr;
    QPushButton* m_skip = nullptr;
    bool m_reported = false;
};
