# The scalar event of TfEventsTest as TensorFlow itself writes it (TensorFlow 2.21 with TensorBoard 2.21, the writer
# Keras 3.15.1's TensorBoard callback uses): tf.summary.scalar("epoch_loss", 0.25, step=7) into a file writer, the
# event read back, its wall_time set to a fixed value and framed again by TensorFlow's TFRecordWriter.
# Run: PYTHONPATH=<tensorboard 2.21 packages> <python with tensorflow_cpu 2.21> make_tfevents_scalar_golden.py
import glob, os, shutil, tempfile
import tensorflow as tf
from tensorflow.core.util import event_pb2

d = tempfile.mkdtemp()
w = tf.summary.create_file_writer(d)
with w.as_default():
    tf.summary.scalar("epoch_loss", 0.25, step=7)
w.close()
raw = [r.numpy() for r in tf.data.TFRecordDataset(glob.glob(d + "/*"))]
e = event_pb2.Event.FromString(raw[1])
e.wall_time = 1733400001.25
out = os.path.join(d, "golden.tfrecord")
with tf.io.TFRecordWriter(out) as rw:
    rw.write(e.SerializeToString())
print("scalar", open(out, "rb").read().hex())
shutil.rmtree(d)
