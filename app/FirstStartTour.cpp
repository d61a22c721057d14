#include "FirstStartTour.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

FirstStartTour::FirstStartTour(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Welcome to featurescope"));
    setModal(false); // the window stays usable, so the user can try each step while reading it
    setAttribute(Qt::WA_DeleteOnClose, false);

    m_titles = {tr("Three panels, three questions"), tr("Train, pause, stop"), tr("Select a feature"),
                tr("Export a figure (Ctrl+E)"), tr("Present and save (F11, Ctrl+S)")};
    m_texts = {
        tr("<p><b>Superposition</b> trains toy models and shows how a small ReLU network packs more features than "
           "it has dimensions.</p><p><b>Feature activations</b> opens on a language model's features: on the first "
           "start a small model and its sparse autoencoder train in the background (about a minute), then every "
           "feature has a dashboard, a prompt view, steering and the randomized-transformer control. Its other tabs "
           "train sparse autoencoders on synthetic data, toy models or Fashion-MNIST.</p><p><b>Energy bound</b> "
           "compares real hardware with the Landauer limit.</p><p>Switch panels in the list on the left or with Ctrl+1, Ctrl+2, Ctrl+3.</p>"),
        tr("<p>Each panel computes in the background: <b>Train</b> (Ctrl+Return) starts from scratch, "
           "<b>Pause</b> (Ctrl+P) holds and resumes, <b>Stop</b> (Ctrl+.) keeps the weights so far.</p>"
           "<p>Progress shows in the status bar; Esc cancels. Figures update live while training.</p>"),
        tr("<p>Click a feature in any figure or table: it is highlighted in every view of the panel.</p>"
           "<p>Hover for exact values. Exports leave the highlight out unless you ask for it.</p>"),
        tr("<p><b>File → Export</b> (Ctrl+E) writes the figure under the mouse, or the whole panel, as PNG "
           "(slide sizes, 2× for sharp slides), PDF or SVG.</p><p>In the dialog you can edit titles, axis labels, "
           "legend entries and annotations, and copy a caption with the parameters that made the figure.</p>"),
        tr("<p><b>Presentation mode</b> (F11) goes full screen with large fonts and thick lines; Esc leaves it. "
           "The View menu also has light and dark themes.</p><p><b>Sessions</b> (Ctrl+S) save everything needed "
           "to reproduce a screen — parameters, seeds, trained weights — and reopen it later.</p>"
           "<p>Help → Shortcuts lists every key.</p>")};

    // What each card points at in the main window (by object name).
    m_targets = {QStringLiteral("panelSwitcher"), QStringLiteral("toyTrain"), QStringLiteral("featureArrows"),
                 QStringLiteral("mainMenuBar"), QStringLiteral("mainMenuBar")};

    m_pages = new QStackedWidget(this);
    for (int i = 0; i < m_titles.size(); ++i) {
        auto* page = new QWidget(m_pages);
        auto* layout = new QVBoxLayout(page);
        // A rich-text heading scales with the label's font, which the presentation style sheet sets; a font set
        // here would be overridden by that style sheet.
        auto* title = new QLabel(QStringLiteral("<h3>%1</h3>").arg(m_titles[i].toHtmlEscaped()), page);
        title->setObjectName(QStringLiteral("tourTitle"));
        title->setTextFormat(Qt::RichText);
        title->setWordWrap(true);
        auto* text = new QLabel(m_texts[i], page);
        text->setObjectName(QStringLiteral("tourText"));
        text->setTextFormat(Qt::RichText);
        text->setWordWrap(true);
        text->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        // Colours come from the palette (no hard-coded colours), so every theme keeps the text readable.
        layout->addWidget(title);
        layout->addWidget(text, 1);
        m_pages->addWidget(page);
    }

    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("tourCounter"));
    auto* again = new QLabel(tr("Help → Tour shows it again."), this);
    again->setObjectName(QStringLiteral("tourAgainNote"));
    m_skip = new QPushButton(tr("Skip"), this);
    m_skip->setToolTip(tr("Close the tour"));
    m_back = new QPushButton(tr("Back"), this);
    m_back->setToolTip(tr("Previous page"));
    m_next = new QPushButton(tr("Next"), this);
    m_next->setToolTip(tr("Next page"));
    m_next->setDefault(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(again);
    buttons->addStretch(1);
    buttons->addWidget(m_counter);
    buttons->addSpacing(12);
    buttons->addWidget(m_skip);
    buttons->addWidget(m_back);
    buttons->addWidget(m_next);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_pages, 1);
    layout->addLayout(buttons);
    setMinimumSize(520, 300);

    connect(m_next, &QPushButton::clicked, this, &FirstStartTour::next);
    connect(m_back, &QPushButton::clicked, this, &FirstStartTour::back);
    connect(m_skip, &QPushButton::clicked, this, &FirstStartTour::skip);
    showPage(0);
}

int FirstStartTour::pageCount() const { return int(m_titles.size()); }

int FirstStartTour::currentPage() const { return m_pages->currentIndex(); }

QString FirstStartTour::pageTitle(int page) const { return m_titles.value(page); }

QString FirstStartTour::pageText(int page) const { return m_texts.value(page); }

void FirstStartTour::next()
{
    if (currentPage() + 1 >= pageCount())
        accept();
    else
        showPage(currentPage() + 1);
}

void FirstStartTour::back()
{
    if (currentPage() > 0)
        showPage(currentPage() - 1);
}

void FirstStartTour::skip() { reject(); }

void FirstStartTour::done(int result)
{
    // Every way out (Finish, Skip, Esc, the window's close button) ends here: report it exactly once.
    if (!m_reported) {
        m_reported = true;
        Q_EMIT tourClosed();
    }
    QDialog::done(result);
}

void FirstStartTour::showEvent(QShowEvent* event)
{
    m_reported = false; // opened again (Help menu): this close is reported too
    QDialog::showEvent(event);
    Q_EMIT pointAt(pageTarget(currentPage()));
}

QString FirstStartTour::pageTarget(int page) const { return m_targets.value(page); }

void FirstStartTour::showPage(int page)
{
    m_pages->setCurrentIndex(page);
    Q_EMIT pointAt(pageTarget(page));
    const bool last = page + 1 >= pageCount();
    m_back->setEnabled(page > 0);
    m_next->setText(last ? tr("Finish") : tr("Next"));
    m_skip->setVisible(!last);
    m_counter->setText(tr("%1 of %2").arg(page + 1).arg(pageCount()));
}
