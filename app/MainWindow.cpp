#include "MainWindow.h"

#include "AppSettings.h"
#include "PanelFactory.h"
#include "common/FigureExporter.h"
#include "common/Panel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("featurescope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/featurescope.svg")));

    m_switcher = new QListWidget(this);
    m_switcher->setObjectName(QStringLiteral("panelSwitcher"));
    m_switcher->setFixedWidth(190);
    m_switcher->setIconSize(QSize(20, 20));
    m_switcher->setToolTip(tr("Switch panel (Ctrl+1, Ctrl+2, Ctrl+3)"));
    m_switcher->setStyleSheet(QStringLiteral("QListWidget#panelSwitcher { font-size: 11pt; }"
                                             "QListWidget#panelSwitcher::item { padding: 10px 8px; }"));
    m_stack = new QStackedWidget(this);
    for (const QString& id : PanelFactory::panelIds()) {
        Panel* panel = PanelFactory::create(id, m_stack);
        m_panels.append(panel);
        m_stack->addWidget(panel);
        m_switcher->addItem(panel->title());
        connectPanel(panel);
    }
    connect(m_switcher, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_switcher);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    buildMenus();
    buildStatusBar();

    if (!restoreGeometry(AppSettings::windowGeometry()))
        resize(1400, 900);
    restoreState(AppSettings::windowState());
    showPanel(AppSettings::lastPanel());
}

Panel* MainWindow::currentPanel() const { return qobject_cast<Panel*>(m_stack->currentWidget()); }

Panel* MainWindow::panel(const QString& id) const
{
    for (Panel* p : m_panels)
        if (p->panelId() == id)
            return p;
    return nullptr;
}

void MainWindow::showPanel(const QString& id)
{
    const int index = PanelFactory::panelIds().indexOf(id);
    m_switcher->setCurrentRow(index >= 0 ? index : 0);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* exportAction = file->addAction(tr("&Export Figure…"), this, &MainWindow::exportCurrentFigure);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(tr("Save a figure of the current panel as PNG, PDF or SVG"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_panels.size(); ++i) {
        QAction* show = view->addAction(m_panels[i]->title(), this, [this, i] { m_switcher->setCurrentRow(i); });
        show->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
    }
    view->addSeparator();
    QAction* fullScreen = view->addAction(tr("&Full Screen"), this, [this] {
        isFullScreen() ? showNormal() : showFullScreen();
    });
    fullScreen->setShortcut(QKeySequence(Qt::Key_F11));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About featurescope"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    m_statusText = new QLabel(tr("Ready"), this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running computation (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_busyPanel)
            m_busyPanel->cancelWork();
    });
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
}

void MainWindow::connectPanel(Panel* panel)
{
    connect(panel, &Panel::workStarted, this, [this, panel](const QString& description) {
        m_busyPanel = panel;
        m_statusText->setText(description);
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(panel, &Panel::workProgress, this, [this, panel](double fraction, const QString& message) {
        if (panel != m_busyPanel)
            return;
        m_progress->setValue(int(1000 * fraction));
        if (!message.isEmpty())
            m_statusText->setText(message);
    });
    connect(panel, &Panel::workFinished, this, [this, panel](const QString& message) {
        if (panel == m_busyPanel)
            m_busyPanel = nullptr;
        m_statusText->setText(message);
        m_progress->hide();
        m_cancel->hide();
    });
}

void MainWindow::exportCurrentFigure()
{
    Panel* panel = currentPanel();
    if (!panel)
        return;
    QStringList choices{tr("Whole panel")};
    choices += panel->figureNames();
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Export Figure"), tr("Figure:"), choices, 0, false, &ok);
    if (!ok)
        return;
    QWidget* target = choice == choices.front() ? panel : panel->figureWidget(choice);
    const QString suggested = AppSettings::lastExportDirectory() + QStringLiteral("/featurescope-%1-%2.png")
                                                                       .arg(panel->panelId(), choice == choices.front() ? QStringLiteral("panel") : choice);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), suggested,
                                                      tr("PNG image (*.png);;PDF document (*.pdf);;SVG image (*.svg)"));
    if (path.isEmpty())
        return;
    AppSettings::setLastExportDirectory(QFileInfo(path).absolutePath());
    ExportOptions options;
    options.logicalSize = target == panel ? panel->size() : QSize(1280, 720);
    options.scale = 2.0;
    if (target == panel) {
        // Export the panel as it is on screen; a lone figure is exported at slide size.
        options.logicalSize = panel->size();
    }
    const QString error = FigureExporter::exportWidget(target, path, options);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), tr("Could not export to %1: %2").arg(path, error));
    else
        m_statusText->setText(tr("Exported %1").arg(path));
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About featurescope"),
        tr("<h3>featurescope %1</h3>"
           "<p>A workbench for mechanistic interpretability: superposition geometry, sparse-autoencoder features "
           "and the energy bound of computation.</p>"
           "<p><b>Science</b><br>"
           "Elhage et al. (2022), <i>Toy Models of Superposition</i>, Transformer Circuits Thread.<br>"
           "Bricken et al. (2023), <i>Towards Monosemanticity</i>, Transformer Circuits Thread.<br>"
           "Sharkey, Braun, Millidge (2022), <i>Taking features out of superposition with sparse autoencoders</i>.<br>"
           "Landauer (1961), <i>Irreversibility and heat generation in the computing process</i>, IBM J. Res. Dev.<br>"
           "Horowitz (2014), <i>Computing's energy problem</i>, ISSCC.<br>"
           "Ho, Erdil, Besiroglu (2023), <i>Limits to the energy efficiency of CMOS microprocessors</i>.<br>"
           "Carlsmith (2020), <i>How much computational power does it take to match the human brain?</i></p>"
           "<p><b>Data</b><br>"
           "Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), from Debian's dataset-fashion-mnist package.<br>"
           "Accelerator figures: vendor datasheets, via Epoch AI's machine-learning hardware database.</p>")
            .arg(QStringLiteral(FEATURESCOPE_VERSION)));
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard Shortcuts"),
                             tr("<table>"
                                "<tr><td><b>Ctrl+1 / 2 / 3</b></td><td>Superposition / Features / Energy panel</td></tr>"
                                "<tr><td><b>Ctrl+E</b></td><td>Export a figure</td></tr>"
                                "<tr><td><b>F11</b></td><td>Full screen</td></tr>"
                                "<tr><td><b>Esc</b></td><td>Cancel running work</td></tr>"
                                "<tr><td><b>F1</b></td><td>This list</td></tr>"
                                "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>"
                                "</table>"));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    for (Panel* p : m_panels)
        p->cancelWork();
    AppSettings::setWindowGeometry(saveGeometry());
    AppSettings::setWindowState(saveState());
    if (Panel* p = currentPanel())
        AppSettings::setLastPanel(p->panelId());
    event->accept();
}
