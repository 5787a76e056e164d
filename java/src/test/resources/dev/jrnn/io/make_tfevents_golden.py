# Golden bytes for TfEventsTest, made with Google's protobuf runtime and crcmod's CRC-32C (Debian: python3-protobuf,
# python3-crcmod), not with jrnn's encoder: TensorFlow's Event / Summary messages (field numbers of
# tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto) built as a dynamic descriptor.
# TfEventsTest reads the version event from here; its scalar (TensorFlow 2's tensor form) from make_tfevents_scalar_golden.py.
import struct
import crcmod.predefined
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

f = descriptor_pb2.FileDescriptorProto(name="tb.proto", package="tensorflow", syntax="proto3")
value = f.message_type.add(name="Value")
value.field.add(name="tag", number=1, type=9, label=1)
value.field.add(name="simple_value", number=2, type=2, label=1)
summary = f.message_type.add(name="Summary")
summary.field.add(name="value", number=1, type=11, label=3, type_name=".tensorflow.Value")
event = f.message_type.add(name="Event")
event.field.add(name="wall_time", number=1, type=1, label=1)
event.field.add(name="step", number=2, type=3, label=1)
event.field.add(name="file_version", number=3, type=9, label=1)
event.field.add(name="summary", number=5, type=11, label=1, type_name=".tensorflow.Summary")
pool = descriptor_pool.DescriptorPool()
pool.Add(f)
Event = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorflow.Event"))

crc = crcmod.predefined.mkCrcFun("crc-32c")
def masked(b):
    c = crc(b)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF

def frame(data):
    n = struct.pack("<Q", len(data))
    return n + struct.pack("<I", masked(n)) + data + struct.pack("<I", masked(data))

version = Event(wall_time=1733400000.5, file_version="brain.Event:2")
scalar = Event(wall_time=1733400001.25, step=7)
scalar.summary.value.add(tag="epoch_loss", simple_value=0.25)
print("version", frame(version.SerializeToString()).hex())
print("scalar", frame(scalar.SerializeToString()).hex())
