# plot.gp - the training loss curves of train.c (nncc) and train_torch.py
# (PyTorch) for one model, as a PNG.
#
#   gnuplot -e "nncc='nncc/loss.csv'; torch='torch/loss.csv'; \
#               out='loss.png'; name='mlp'" examples/fashion_mnist/plot.gp
#
# The CSV files have the columns step,epoch,loss (one line per train step,
# with a header line). Each curve is drawn twice: every step's loss, faint
# (translucent, so that both stay visible where they overlap), and a
# Bezier-smoothed trend on top. `torch` may be '' to plot nncc alone.

if (!exists("nncc")) nncc = "loss.csv"
if (!exists("torch")) torch = ""
if (!exists("out")) out = "loss.png"
if (!exists("name")) name = "model"

set terminal pngcairo size 900,540 noenhanced font "sans,10"
set output out
set datafile separator ","
set key autotitle columnhead top right
set title sprintf("Fashion-MNIST %s: training loss (cross-entropy, batch of 64)", name)
set xlabel "step"
set ylabel "loss"
set yrange [0:*]
set grid

if (torch eq "") {
    plot nncc using 1:3 with lines lc rgb "#a01f5fa8" title "nncc, each step", \
         nncc using 1:3 smooth bezier with lines lw 2 lc rgb "#1f5fa8" title "nncc, smoothed"
} else {
    plot nncc using 1:3 with lines lc rgb "#a01f5fa8" title "nncc, each step", \
         torch using 1:3 with lines lc rgb "#a0c25400" title "PyTorch, each step", \
         nncc using 1:3 smooth bezier with lines lw 2 lc rgb "#1f5fa8" title "nncc, smoothed", \
         torch using 1:3 smooth bezier with lines lw 2 dt 2 lc rgb "#c25400" title "PyTorch, smoothed"
}
